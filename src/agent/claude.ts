/**
 * The Claude runtime: one agent turn through the Messages API with @anthropic-ai/sdk. Compacts
 * the history first when it has outgrown its budget, then loops model → tools → model until
 * the model ends its turn (bounded in steps), and reports every call for usage and cost.
 */
import { MessagesClient } from "./messages-client";
import type { Message, MessageParam, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import { compact, planCompaction } from "./compaction";
import { callModel, type CallOptions } from "./model-call";
import { buildRequest, finalise } from "./prompt";
import { USER_MESSAGES, type RetryPolicy } from "./retry-policy";
import { toolDefinitions, toolsFor, type ToolContext } from "./tools";
import {
  sumUsage,
  type AgentEvent,
  type AgentMemory,
  type AgentRuntime,
  type ApiCallRecord,
  type MemoryUpdate,
  type TurnRequest,
  type TurnResult,
} from "./types";

export interface ClaudeRuntimeOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  maxTokens: number;
  systemPrompt: string;
  /** Model requests per turn, tool steps included; the last one must answer without tools. */
  maxSteps: number;
  /** History (estimated tokens) above which older turns are compacted into the summary. */
  historyTokenBudget: number;
  timeoutMs: number;
  retry: RetryPolicy;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Replaces the SDK's fetch (tests). */
  fetch?: typeof fetch;
}

const EMPTY_MEMORY: AgentMemory = { summary: null, summaryThroughSeq: 0, notes: [] };

function textOf(message: Message): string {
  return message.content
    .flatMap((b) => (b.type === "text" ? [b.text] : []))
    .join("\n")
    .trim();
}

export function createClaudeRuntime(opts: ClaudeRuntimeOptions): AgentRuntime {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // Retries are ours (see retry-policy.ts): the SDK's would retry a spend-limit 429 too.
  const client = new MessagesClient({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL || undefined,
    maxRetries: 0,
    timeout: opts.timeoutMs,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });

  return {
    model: opts.model,
    mode: "anthropic",
    async runTurn(req: TurnRequest): Promise<TurnResult> {
      const started = now();
      const model = req.model ?? req.settings?.model ?? opts.model;
      const trust = req.trust ?? "public";
      const callOptions: CallOptions = { client, policy: opts.retry, timeoutMs: opts.timeoutMs, purpose: "turn", now, sleep };
      const calls: ApiCallRecord[] = [];
      const events: AgentEvent[] = [];
      const memoryUpdate: MemoryUpdate = { notesAdded: [] };
      const memory = { ...(req.memory ?? EMPTY_MEMORY) };
      let history = req.history;

      const plan = planCompaction(history, opts.historyTokenBudget);
      if (plan) {
        const c = await compact(callOptions, model, memory.summary, plan);
        calls.push(...c.calls);
        events.push(...c.events);
        if (c.ok) {
          memoryUpdate.summary = { text: c.summary, throughSeq: c.throughSeq, compactedTurns: c.compactedTurns };
          memory.summary = c.summary;
          memory.summaryThroughSeq = c.throughSeq;
          history = c.kept;
        }
      }

      const tools = toolsFor(trust, req.settings?.tools, req.capabilities);
      const base = buildRequest({
        model,
        maxTokens: req.settings?.maxTokens ?? opts.maxTokens,
        systemPrompt: req.settings?.systemPrompt ?? opts.systemPrompt,
        tools: toolDefinitions(tools),
        channelType: req.channelType,
        channelName: req.channelName,
        senderId: req.senderId,
        senderName: req.senderName,
        trust,
        memory,
        history,
        text: req.text,
        images: req.images,
      });
      const toolContext: ToolContext = { now, notes: memory.notes, notesAdded: memoryUpdate.notesAdded, scheduleJob: req.capabilities?.scheduleJob };
      const messages: MessageParam[] = [...base.messages];
      const outcome = { model, calls, events, memory: memoryUpdate };

      for (let step = 1; step <= opts.maxSteps; step++) {
        const lastStep = step === opts.maxSteps;
        const result = await callModel(callOptions, finalise(base, messages, lastStep ? { type: "none" } : undefined));
        calls.push(...result.calls);
        events.push(...result.events);
        if (!result.ok) {
          const f = result.failure;
          events.push({
            kind: f.adminAction ? "agent.unavailable" : "agent.failed",
            detail: { error: f.reason, status: f.status, adminAction: f.adminAction, attempts: result.calls.length },
          });
          return {
            ...outcome,
            ok: false,
            error: f.reason,
            userMessage: USER_MESSAGES[f.kind],
            reason: f.kind,
            usage: sumUsage(calls),
            latencyMs: now() - started,
          };
        }
        const m = result.message;
        const toolUses = m.content.flatMap((b) => (b.type === "tool_use" ? [b] : []));
        if (m.stop_reason !== "tool_use" || toolUses.length === 0 || lastStep) {
          let text = textOf(m);
          if (m.stop_reason === "max_tokens") text = `${text}\n[…the answer was cut off at the length limit]`.trim();
          if (!text) text = m.stop_reason === "refusal" ? "Sorry, I can't help with that." : "(no answer)";
          return { ...outcome, ok: true, text, usage: sumUsage(calls), latencyMs: now() - started };
        }
        messages.push({ role: "assistant", content: m.content });
        const results: ToolResultBlockParam[] = [];
        for (const use of toolUses) {
          const tool = tools.find((t) => t.name === use.name);
          const out = tool ? await tool.run(use.input, toolContext) : { content: `tool ${use.name} is not available here`, isError: true };
          events.push({ kind: "agent.tool", detail: { tool: use.name, ok: !out.isError, step, ...(out.isError ? { error: out.content } : {}) } });
          results.push({ type: "tool_result", tool_use_id: use.id, content: out.content, ...(out.isError ? { is_error: true } : {}) });
        }
        messages.push({ role: "user", content: results });
      }
      throw new Error("unreachable: the last step always answers");
    },
  };
}
