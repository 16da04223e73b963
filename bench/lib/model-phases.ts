/**
 * The model cases, against the gateway running its Claude runtime pointed at the fake model:
 * latency with a model that takes `delayMs` per call (the acknowledgement must not wait for it),
 * one 20-turn conversation that measures the bytes sent per turn and the prompt-cache share, and
 * one long conversation (200 turns) that measures whether a turn costs more as the history grows.
 */
import type { ModelFake, ModelUsage } from "./model-fake";
import { postWithRetries } from "./load";
import { measureLoad, type MeasuredLoad } from "./measure";
import { sampleTree, totals } from "./proc-tree";
import type { ReplySink } from "./reply-sink";
import type { Target } from "./targets";

export interface ConversationFigures {
  turns: number;
  /** Request bytes sent to the model per turn (all calls of the turn), turn 1 first. */
  requestBytesPerTurn: number[];
  turn1Bytes: number;
  turn10Bytes: number | null;
  /** Cache reads / all input tokens (uncached + cache writes + cache reads), over every call. */
  cacheReadShare: number;
  usage: ModelUsage;
}

/** Confirms the gateway answers with a model (not the offline echo) before measuring it. */
export async function modelMode(target: Target): Promise<string> {
  const headers = target.adminToken ? { authorization: `Bearer ${target.adminToken}` } : undefined;
  const health = (await (await fetch(`${target.dev.url}/api/health/details`, { headers })).json()) as { model?: { mode?: string } };
  return health.model?.mode ?? "unknown";
}

export async function slowModelLoad(
  target: Target,
  sink: ReplySink,
  fake: ModelFake,
  o: { delayMs: number; senders: number; messages: number; label: string },
): Promise<MeasuredLoad & { modelCallsPerMessage: number }> {
  fake.setDelay(o.delayMs);
  const callsBefore = fake.calls().length;
  const measured = await measureLoad(target, {
    sink,
    label: o.label,
    senders: o.senders,
    messages: o.messages,
    replyTimeoutMs: 60_000 + o.delayMs * 10,
    staggerMs: o.delayMs,
  });
  const calls = fake.calls().length - callsBefore;
  if (calls === 0) throw new Error("the gateway never called the fake model");
  return { ...measured, modelCallsPerMessage: Math.round((calls / measured.load.messages) * 100) / 100 };
}

export interface LongConversationFigures {
  turns: number;
  /** workerd CPU per turn, averaged over turns 6–15 (around the tenth: /proc counts in 10 ms ticks, one turn is a few). */
  earlyTurnCpuMs: number;
  /** The same over the last ten turns. */
  lastTurnCpuMs: number;
}

async function sendTurn(target: Target, sink: ReplySink, label: string, turn: number): Promise<void> {
  const id = `${label}-turn-${turn}`;
  const text = `Turn ${turn}: please summarise what we know about ${TOPICS[turn % TOPICS.length]} and list the open questions, briefly.`;
  const replied = sink.waitForReply(id, 120_000);
  const body = JSON.stringify({ messageId: id, sender: { id: `${label}-sender`, name: "Conversation" }, text });
  if ((await postWithRetries(target.hookUrl, target.secret, body, () => undefined)) === null) throw new Error(`turn ${turn} was not acknowledged`);
  const reply = await replied;
  if (!reply) throw new Error(`turn ${turn} got no reply`);
  if (!reply.text.includes(text)) throw new Error(`turn ${turn} was not answered by the model: ${reply.text.slice(0, 120)}`);
}

/** One conversation of `turns` turns, one at a time; workerd's CPU is read around the tenth turns and the last ten. */
export async function longConversation(
  target: Target,
  sink: ReplySink,
  fake: ModelFake,
  o: { turns: number; label: string },
): Promise<LongConversationFigures> {
  if (o.turns < 30) throw new Error("the long conversation needs at least 30 turns");
  fake.setDelay(0);
  const cpu = () => totals(sampleTree(target.dev.pid)).workerdCpuMs;
  // Other work finishing (records of the previous phase) must not land in a window.
  const settle = () => new Promise((r) => setTimeout(r, 300));
  let early = 0;
  let last = 0;
  for (let turn = 1; turn <= o.turns; turn++) {
    if (turn === 6 || turn === o.turns - 9) {
      await settle();
      const started = cpu();
      for (let t = turn; t < turn + 10; t++) await sendTurn(target, sink, o.label, t);
      await settle();
      const perTurn = Math.round(((cpu() - started) / 10) * 100) / 100;
      if (turn === 6) early = perTurn;
      else last = perTurn;
      turn += 9;
      continue;
    }
    await sendTurn(target, sink, o.label, turn);
  }
  return { turns: o.turns, earlyTurnCpuMs: early, lastTurnCpuMs: last };
}

const TOPICS = ["the deploy checklist", "yesterday's incident", "the quarterly numbers", "a customer's refund", "the on-call rota"];

export async function conversation(target: Target, sink: ReplySink, fake: ModelFake, o: { turns: number; label: string }): Promise<ConversationFigures> {
  fake.setDelay(0);
  const requestBytesPerTurn: number[] = [];
  const start = fake.calls().length;
  for (let turn = 1; turn <= o.turns; turn++) {
    const before = fake.calls().length;
    const id = `${o.label}-turn-${turn}`;
    const text = `Turn ${turn}: please summarise what we know about ${TOPICS[turn % TOPICS.length]} and list the open questions, briefly.`;
    const replied = sink.waitForReply(id, 120_000);
    const body = JSON.stringify({ messageId: id, sender: { id: `${o.label}-sender`, name: "Conversation" }, text });
    if ((await postWithRetries(target.hookUrl, target.secret, body, () => undefined)) === null) throw new Error(`turn ${turn} was not acknowledged`);
    const reply = await replied;
    if (!reply) throw new Error(`turn ${turn} got no reply`);
    if (!reply.text.includes(text)) throw new Error(`turn ${turn} was not answered by the model: ${reply.text.slice(0, 120)}`);
    requestBytesPerTurn.push(
      fake
        .calls()
        .slice(before)
        .reduce((n, c) => n + c.requestBytes, 0),
    );
  }
  const usage = fake
    .calls()
    .slice(start)
    .reduce<ModelUsage>(
      (sum, c) => ({
        input_tokens: sum.input_tokens + c.usage.input_tokens,
        output_tokens: sum.output_tokens + c.usage.output_tokens,
        cache_creation_input_tokens: sum.cache_creation_input_tokens + c.usage.cache_creation_input_tokens,
        cache_read_input_tokens: sum.cache_read_input_tokens + c.usage.cache_read_input_tokens,
      }),
      { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    );
  const allInput = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens;
  return {
    turns: o.turns,
    requestBytesPerTurn,
    turn1Bytes: requestBytesPerTurn[0] ?? 0,
    turn10Bytes: requestBytesPerTurn[9] ?? null,
    cacheReadShare: allInput ? Math.round((usage.cache_read_input_tokens / allInput) * 1000) / 1000 : 0,
    usage,
  };
}
