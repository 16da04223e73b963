/**
 * One model request with its retries, streamed (long answers never hit an idle timeout, and a
 * stream that breaks after the 200 is seen as a failure like any other). Every attempt is a
 * call record, failed ones included, with whatever usage the API reported before failing, and
 * priced at the model that answered it. When the model is overloaded, rate-limited or down
 * (529, 429, 5xx, timeouts, connection failures) past `failoverAfter` attempts, the next model
 * of `fallbackModels` takes over at once (an `agent.failover` event says so); a request the
 * API rejects (400, 401, 403...) is not tried on another model: it would be rejected there too.
 */
import { APIError } from "@anthropic-ai/sdk/error";
import type { MessagesClient } from "./messages-client";
import type { Message } from "@anthropic-ai/sdk/resources/messages";
import { MCP_CONNECTOR_BETA } from "./mcp-request";
import { serverToolBetas } from "./server-tools";
import { costOf } from "./pricing";
import type { ModelRequest } from "./prompt";
import { decide, type FailureDecision, type RetryPolicy } from "./retry-policy";
import type { AgentEvent, ApiCallRecord } from "./types";

export interface CallOptions {
  client: MessagesClient;
  policy: RetryPolicy;
  /** Per attempt, from sending the request to the last stream event. */
  timeoutMs: number;
  purpose: ApiCallRecord["purpose"];
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Models that take over, in order, when the requested one is overloaded or down. */
  fallbackModels?: readonly string[];
  /** Failed attempts on one model (of the failover kind) before the next one takes over. */
  failoverAfter?: number;
  /** The answer's content so far, after each text delta (a retried attempt starts again from nothing). */
  onContent?: (content: Message["content"]) => void;
}

export type CallResult =
  /** `model`: the model that answered (a fallback after a failover), for the turn's later requests. */
  | { ok: true; message: Message; model: string; calls: ApiCallRecord[]; events: AgentEvent[] }
  | { ok: false; failure: Extract<FailureDecision, { retry: false }>; calls: ApiCallRecord[]; events: AgentEvent[] };

/** The server_tool_use names code execution runs under (20250825 runs commands and edits files). */
const CODE_EXECUTION_CALLS = new Set(["code_execution", "bash_code_execution", "text_editor_code_execution"]);

class AttemptTimeout extends Error {
  override name = "AttemptTimeout";
}

function record(
  o: CallOptions,
  model: string,
  started: number,
  usage: Message["usage"] | undefined,
  outcome: { stopReason: string | null; error?: string; content?: Message["content"] },
): ApiCallRecord {
  const serverUses = {
    webSearchRequests: usage?.server_tool_use?.web_search_requests ?? 0,
    webFetchRequests: usage?.server_tool_use?.web_fetch_requests ?? 0,
    // The API's usage has no code-execution count: count the calls the model made.
    codeExecutionRequests: (outcome.content ?? []).filter((b) => b.type === "server_tool_use" && CODE_EXECUTION_CALLS.has(b.name)).length,
  };
  const tokens = {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cacheWriteTokens: usage?.cache_creation_input_tokens ?? 0,
    cacheWrite1hTokens: usage?.cache_creation?.ephemeral_1h_input_tokens ?? 0,
    cacheReadTokens: usage?.cache_read_input_tokens ?? 0,
  };
  const cost = costOf(model, { ...tokens, ...serverUses });
  const { cacheWrite1hTokens: _, ...stored } = tokens;
  return {
    at: started,
    purpose: o.purpose,
    model,
    ...stored,
    latencyMs: o.now() - started,
    stopReason: outcome.stopReason,
    status: outcome.error ? "error" : "ok",
    ...(outcome.error ? { error: outcome.error } : {}),
    costUsd: cost.costUsd,
    cacheSavingsUsd: cost.cacheSavingsUsd,
    ...serverUses,
  };
}

/** The `anthropic-beta` header a request needs for the server tools and MCP servers it carries. */
export function betaHeader(request: ModelRequest): Record<string, string> {
  const betas = serverToolBetas(request.tools ?? []);
  if (request.mcp_servers?.length) betas.push(MCP_CONNECTOR_BETA);
  return betas.length ? { "anthropic-beta": betas.join(",") } : {};
}

async function attempt(o: CallOptions, request: ModelRequest): Promise<{ message: Message } | { error: unknown; partial: Message["usage"] | undefined }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, o.timeoutMs);
  // mcp_servers is a beta field the GA request type does not list; the API reads it under the beta header.
  const stream = o.client.messages.stream(request as Parameters<MessagesClient["messages"]["stream"]>[0], {
    signal: controller.signal,
    headers: betaHeader(request),
  });
  // message_start already carries the input usage: a stream that breaks later was still billed for it.
  let partial: Message["usage"] | undefined;
  stream.on("streamEvent", (event, snapshot) => {
    partial = event.type === "message_delta" ? ({ ...snapshot.usage, ...event.usage } as Message["usage"]) : snapshot.usage;
    if (o.onContent && event.type === "content_block_delta" && event.delta.type === "text_delta") o.onContent(snapshot.content);
  });
  try {
    return { message: await stream.finalMessage() };
  } catch (err) {
    return { error: timedOut ? new AttemptTimeout(`no complete answer within ${o.timeoutMs} ms`) : err, partial };
  } finally {
    clearTimeout(timer);
  }
}

/** Failures another model may not share: overload, rate limits, server errors, timeouts, broken connections. */
function isOutage(err: unknown): boolean {
  const status = err instanceof APIError && typeof err.status === "number" ? err.status : null;
  return status === null || status === 408 || status === 429 || status >= 500;
}

export async function callModel(o: CallOptions, request: ModelRequest): Promise<CallResult> {
  const calls: ApiCallRecord[] = [];
  const events: AgentEvent[] = [];
  const chain = [request.model, ...(o.fallbackModels ?? []).filter((m) => m !== request.model)];
  const failoverAfter = Math.max(1, o.failoverAfter ?? 2);
  let current = 0;
  let attemptsOnModel = 0;
  for (;;) {
    const model = chain[current]!;
    const started = o.now();
    attemptsOnModel++;
    const result = await attempt(o, { ...request, model });
    if ("message" in result) {
      const m = result.message;
      calls.push(record(o, m.model || model, started, m.usage, { stopReason: m.stop_reason, content: m.content }));
      return { ok: true, message: m, model, calls, events };
    }
    const decision = decide(result.error, attemptsOnModel, o.policy, o.now());
    calls.push(record(o, model, started, result.partial, { stopReason: null, error: decision.reason }));
    const next = chain[current + 1];
    if (next && isOutage(result.error) && (!decision.retry || attemptsOnModel >= failoverAfter)) {
      events.push({ kind: "agent.failover", detail: { purpose: o.purpose, from: model, to: next, attempts: attemptsOnModel, error: decision.reason } });
      current++;
      attemptsOnModel = 0;
      continue;
    }
    if (!decision.retry) return { ok: false, failure: decision, calls, events };
    events.push({ kind: "agent.retry", detail: { purpose: o.purpose, model, attempt: attemptsOnModel, waitMs: decision.waitMs, error: decision.reason } });
    await o.sleep(decision.waitMs);
  }
}
