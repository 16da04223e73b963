/**
 * The Claude runtime: one agent turn through the Messages API with @anthropic-ai/sdk. Compacts
 * the history first when it has outgrown its budget, then loops model → tools → model until
 * the model ends its turn (bounded in steps), and reports every call for usage and cost.
 */
import { MessagesClient } from "./messages-client";
import type { ContentBlock, Message, MessageParam, Tool, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import { settleToolCalls } from "./approvals";
import { compact, planCompaction } from "./compaction";
import { createdFileIds, downloadCreatedFiles, type FilesApi } from "../lib/created-files";
import { callModel, type CallOptions } from "./model-call";
import { mcpServerDefinitions } from "./mcp-request";
import { buildRequest, finalise } from "./prompt";
import { replyText } from "./reply-text";
import { USER_MESSAGES, type RetryPolicy } from "./retry-policy";
import { serverToolDefinitions } from "./server-tools";
import { toolDefinitions, toolsFor, type ToolContext } from "./tools";
import {
  sumUsage,
  type AgentEvent,
  type AgentMemory,
  type AgentRuntime,
  type ApiCallRecord,
  type MemoryUpdate,
  type PausedToolCall,
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
  /** Models that take over when the turn's model is overloaded or down (AGENT_FALLBACK_MODELS). */
  fallbackModels?: readonly string[];
  /** Failed attempts on a model before the next one takes over (AGENT_FAILOVER_AFTER_ATTEMPTS). */
  failoverAfter?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Replaces the SDK's fetch (tests). */
  fetch?: typeof fetch;
}

const EMPTY_MEMORY: AgentMemory = { summary: null, summaryThroughSeq: 0, notes: [] };

/** A continuation after pause_turn extends the paused assistant message instead of adding a second one. */
function pushAssistant(messages: MessageParam[], content: ContentBlock[]): void {
  const last = messages.at(-1);
  if (last?.role === "assistant" && Array.isArray(last.content)) messages[messages.length - 1] = { role: "assistant", content: [...last.content, ...content] };
  else messages.push({ role: "assistant", content });
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

  const filesApi: FilesApi = { apiKey: opts.apiKey, baseURL: opts.baseURL || undefined, fetch: opts.fetch ?? ((input, init) => fetch(input, init)) };

  return {
    model: opts.model,
    mode: "anthropic",
    async runTurn(req: TurnRequest): Promise<TurnResult> {
      const started = now();
      const resume = req.resume;
      let model = resume?.paused.model ?? req.model ?? req.settings?.model ?? opts.model;
      const trust = req.trust ?? "public";
      const callOptions: CallOptions = {
        client,
        policy: opts.retry,
        timeoutMs: opts.timeoutMs,
        purpose: "turn",
        now,
        sleep,
        fallbackModels: req.settings?.fallbackModels ?? opts.fallbackModels,
        failoverAfter: opts.failoverAfter,
      };
      // A resumed turn carries on with what the paused one had spent, said and saved.
      const calls: ApiCallRecord[] = [...(resume?.paused.calls ?? [])];
      const events: AgentEvent[] = [...(resume?.paused.events ?? [])];
      const memoryUpdate: MemoryUpdate = resume ? structuredClone(resume.paused.memory) : { notesAdded: [] };
      const memory = { ...(req.memory ?? EMPTY_MEMORY) };
      let history = req.history;
      const earlierLatencyMs = resume?.paused.latencyMs ?? 0;
      if (memoryUpdate.summary) {
        // The paused turn compacted; its summary is stored only with the finished turn.
        const { text, throughSeq } = memoryUpdate.summary;
        memory.summary = text;
        memory.summaryThroughSeq = throughSeq;
        history = history.filter((t) => t.seq === undefined || t.seq > throughSeq);
      }

      const plan = resume ? null : planCompaction(history, opts.historyTokenBudget);
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
      // Client and server tools share one list sorted by name: the prefix is the same every turn.
      // MCP tools that ask first are the gateway's to call (mcp-ask-first.ts), so they are client tools too.
      const mcpTools = req.mcpTools ?? [];
      const mcpDefinitions = mcpTools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema as Tool["input_schema"] }));
      const definitions = [...toolDefinitions(tools), ...mcpDefinitions, ...serverToolDefinitions(req.settings?.serverTools, trust)].sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      const base = buildRequest({
        model,
        maxTokens: req.settings?.maxTokens ?? opts.maxTokens,
        systemPrompt: req.settings?.systemPrompt ?? opts.systemPrompt,
        tools: definitions,
        mcpServers: mcpServerDefinitions(req.mcpServers ?? []),
        channelType: req.channelType,
        channelName: req.channelName,
        senderId: req.senderId,
        senderName: req.senderName,
        trust,
        memory,
        history,
        text: req.text,
        images: req.images,
        documents: req.documents,
      });
      const toolContext: ToolContext = {
        now,
        notes: memory.notes,
        noteCount: memory.noteCount,
        notesAdded: memoryUpdate.notesAdded,
        scheduleJob: req.capabilities?.scheduleJob,
        recallNotes: req.capabilities?.recallNotes,
      };
      const messages: MessageParam[] = [...base.messages, ...(resume?.paused.tail ?? [])];
      const outcome = { model, calls, events, memory: memoryUpdate };
      // The answer so far when the API paused a long server-tool turn (pause_turn) to be continued.
      let paused: ContentBlock[] = [];
      const latency = () => earlierLatencyMs + now() - started;
      let firstStep = 1;
      if (resume) {
        const settled = await settleToolCalls(resume.paused, resume.decision, tools, toolContext, mcpTools);
        events.push(...settled.events);
        messages.push({ role: "user", content: settled.results });
        firstStep = resume.paused.step + 1;
      }
      // Files code execution created in any step; sent after the answer.
      const created: string[] = [];

      for (let step = firstStep; step <= opts.maxSteps; step++) {
        const lastStep = step === opts.maxSteps;
        const before = paused;
        const onText = req.onText;
        const stepOptions: CallOptions = onText ? { ...callOptions, onContent: (content) => onText(replyText([...before, ...content])) } : callOptions;
        const result = await callModel(stepOptions, { ...finalise(base, messages, lastStep ? { type: "none" } : undefined), model });
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
            latencyMs: latency(),
          };
        }
        // After a failover the turn stays on the model that answered: its later steps and the run record say so.
        model = result.model;
        outcome.model = model;
        const m = result.message;
        for (const b of m.content) if (b.type === "server_tool_use") events.push({ kind: "agent.server_tool", detail: { tool: b.name, step } });
        for (const fileId of createdFileIds(m.content)) if (!created.includes(fileId)) created.push(fileId);
        if (m.stop_reason === "pause_turn" && !lastStep) {
          // Sent back as it is, with no new user message: the API resumes the same turn.
          pushAssistant(messages, m.content);
          paused = [...paused, ...m.content];
          continue;
        }
        const toolUses = m.content.flatMap((b) => (b.type === "tool_use" ? [b] : []));
        if (m.stop_reason !== "tool_use" || toolUses.length === 0 || lastStep) {
          let text = replyText([...paused, ...m.content]);
          if (m.stop_reason === "max_tokens") text = `${text}\n[…the answer was cut off at the length limit]`.trim();
          if (!text) text = m.stop_reason === "refusal" ? "Sorry, I can't help with that." : "(no answer)";
          const made = created.length ? await downloadCreatedFiles(filesApi, created) : { files: [], skipped: [] };
          for (const s of made.skipped) events.push({ kind: "agent.file_skipped", detail: { ...s, step } });
          return { ...outcome, ok: true, text, usage: sumUsage(calls), latencyMs: latency(), ...(made.files.length ? { files: made.files } : {}) };
        }
        pushAssistant(messages, m.content);
        paused = [];
        const askFirst: readonly string[] = req.settings?.approvals?.askFirst ?? [];
        const stepCalls: PausedToolCall[] = [];
        for (const use of toolUses) {
          const tool = tools.find((t) => t.name === use.name);
          // Every MCP tool the gateway calls itself is there because it asks first.
          const mcp = mcpTools.some((t) => t.name === use.name);
          if ((tool && askFirst.includes(use.name)) || mcp) {
            if (req.approvals) {
              // Waits for a person: runs (or not) when the turn is resumed with the decision.
              stepCalls.push({ id: use.id, name: use.name, input: use.input });
              continue;
            }
            const out = { content: `${use.name} needs a person's approval, which cannot be asked for here; it did not run`, isError: true };
            events.push({ kind: "agent.tool", detail: { tool: use.name, ok: false, step, error: out.content } });
            stepCalls.push({ id: use.id, name: use.name, input: use.input, result: out });
            continue;
          }
          const out = tool ? await tool.run(use.input, toolContext) : { content: `tool ${use.name} is not available here`, isError: true };
          events.push({ kind: "agent.tool", detail: { tool: use.name, ok: !out.isError, step, ...(out.isError ? { error: out.content } : {}) } });
          stepCalls.push({ id: use.id, name: use.name, input: use.input, result: out });
        }
        if (stepCalls.some((c) => !c.result)) {
          const waiting = stepCalls.filter((c) => !c.result).map((c) => c.name);
          events.push({ kind: "agent.approval_needed", detail: { tools: waiting, step } });
          return {
            ...outcome,
            ok: false,
            reason: "approval",
            error: `waiting for approval of ${waiting.join(", ")}`,
            userMessage: "",
            paused: {
              model,
              step,
              tail: messages.slice(base.messages.length),
              calls,
              events,
              memory: memoryUpdate,
              toolCalls: stepCalls,
              latencyMs: latency(),
            },
            latencyMs: latency(),
          };
        }
        const results: ToolResultBlockParam[] = stepCalls.map(({ id, result }) => ({
          type: "tool_result",
          tool_use_id: id,
          content: result?.content ?? "",
          ...(result?.isError ? { is_error: true } : {}),
        }));
        messages.push({ role: "user", content: results });
      }
      throw new Error("unreachable: the last step always answers");
    },
  };
}
