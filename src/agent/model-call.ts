/**
 * One model request with its retries, streamed (long answers never hit an idle timeout, and a
 * stream that breaks after the 200 is seen as a failure like any other). Every attempt is a
 * call record, failed ones included, with whatever usage the API reported before failing.
 */
import type { MessagesClient } from "./messages-client";
import type { Message } from "@anthropic-ai/sdk/resources/messages";
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
}

export type CallResult =
  | { ok: true; message: Message; calls: ApiCallRecord[]; events: AgentEvent[] }
  | { ok: false; failure: Extract<FailureDecision, { retry: false }>; calls: ApiCallRecord[]; events: AgentEvent[] };

class AttemptTimeout extends Error {
  override name = "AttemptTimeout";
}

function record(
  o: CallOptions,
  model: string,
  started: number,
  usage: Message["usage"] | undefined,
  outcome: { stopReason: string | null; error?: string },
): ApiCallRecord {
  const tokens = {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cacheWriteTokens: usage?.cache_creation_input_tokens ?? 0,
    cacheWrite1hTokens: usage?.cache_creation?.ephemeral_1h_input_tokens ?? 0,
    cacheReadTokens: usage?.cache_read_input_tokens ?? 0,
  };
  const cost = costOf(model, tokens);
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
  };
}

async function attempt(o: CallOptions, request: ModelRequest): Promise<{ message: Message } | { error: unknown; partial: Message["usage"] | undefined }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, o.timeoutMs);
  const stream = o.client.messages.stream(request, { signal: controller.signal });
  // message_start already carries the input usage: a stream that breaks later was still billed for it.
  let partial: Message["usage"] | undefined;
  stream.on("streamEvent", (event, snapshot) => {
    partial = event.type === "message_delta" ? ({ ...snapshot.usage, ...event.usage } as Message["usage"]) : snapshot.usage;
  });
  try {
    return { message: await stream.finalMessage() };
  } catch (err) {
    return { error: timedOut ? new AttemptTimeout(`no complete answer within ${o.timeoutMs} ms`) : err, partial };
  } finally {
    clearTimeout(timer);
  }
}

export async function callModel(o: CallOptions, request: ModelRequest): Promise<CallResult> {
  const calls: ApiCallRecord[] = [];
  const events: AgentEvent[] = [];
  for (let n = 1; ; n++) {
    const started = o.now();
    const result = await attempt(o, request);
    if ("message" in result) {
      const m = result.message;
      calls.push(record(o, m.model || request.model, started, m.usage, { stopReason: m.stop_reason }));
      return { ok: true, message: m, calls, events };
    }
    const decision = decide(result.error, n, o.policy, o.now());
    calls.push(record(o, request.model, started, result.partial, { stopReason: null, error: decision.reason }));
    if (!decision.retry) return { ok: false, failure: decision, calls, events };
    events.push({ kind: "agent.retry", detail: { purpose: o.purpose, attempt: n, waitMs: decision.waitMs, error: decision.reason } });
    await o.sleep(decision.waitMs);
  }
}
