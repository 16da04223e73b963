/**
 * Stages 4 to 7 for one message, as the sender's object runs them: policy → rate limit →
 * pairing → budget → the turn (the agent here, or a container on a bridge). Each stage is a
 * small function that lets the message through (`pass`) or ends it with a verdict; the first
 * verdict is the message's outcome. The object stores the verdict (sender-session.ts).
 */
import { agentStage, budgetStage, type AgentStageInput, type AgentStageOutput } from "../src/agent/pipeline-turn";
import type { Attachment } from "../src/channels/shared/types";
import type { ApprovalDecision, PausedTurn } from "../src/agent/types";
import type { GatewayConfig } from "../src/config";
import type { Db } from "../src/db/client";
import type { LoadedChannel } from "../src/pipeline/channel-store";
import { notices } from "../src/pipeline/notices";
import { decidePairing } from "../src/pipeline/pairing-stage";
import { policyVerdict } from "../src/pipeline/policy";
import { type InboundOutcome } from "../src/pipeline/records";
import { feedEvent, type FeedEvent } from "../src/db/feed-events";
import { checkWindow, type WindowState } from "../src/pipeline/sliding-window";
import type { Conversation } from "./sender-session-conversation";
import { dispatchContainerTurn } from "./sender-session-container";
import type { InboxRow } from "./sender-session-storage";
import type { LiveReply } from "./sender-session-live";
import type { AgentFile } from "../src/lib/agent-files";

export interface Reply {
  text: string;
  kind: "reply" | "notice";
  /** Files the agent sent, each an outbox row after the text (docs/media.md). */
  files?: AgentFile[];
}

/** What a stage decided about the message. */
export type Verdict =
  /** Not this stage's business: on to the next. */
  | { kind: "pass" }
  /** Ended before the turn: dropped, rate limited, a pairing step, over budget. */
  | { kind: "stop"; outcome: InboundOutcome; events: FeedEvent[]; reply: Reply | null }
  /** The turn ran (or was refused) here: its run, calls, reply and conversation update. */
  | { kind: "turn"; runId: string; stage: AgentStageOutput }
  /** A container run on a bridge has the turn; the message waits for its result. */
  | { kind: "waiting" }
  /** The turn stopped at an "ask first" tool call: the message waits for a decision. */
  | { kind: "approval"; runId: string; paused: PausedTurn };

export type Decision = Exclude<Verdict, { kind: "pass" }>;

/** The sender's limiter window, as the object keeps it (in memory, written through to storage). */
export interface WindowStore {
  get(): WindowState;
  set(state: WindowState): void;
}

export interface MessageContext {
  env: Env;
  cfg: GatewayConfig;
  db: Db;
  sql: SqlStorage;
  row: InboxRow;
  channel: LoadedChannel;
  now: number;
  window: WindowStore;
  conversation: () => Conversation;
  /** The record and reply route so far, stored with a container wait so the turn can resume. */
  pending: () => string;
  /** The typing indicator and streamed reply of this message's turn (sender-session-live.ts). */
  liveReply: () => LiveReply;
}

type Stage = (ctx: MessageContext) => Verdict | Promise<Verdict>;

const pass: Verdict = { kind: "pass" };

/** Stage 4: the channel's sender policy. */
const policyStage: Stage = ({ channel, row, now }) => {
  const verdict = policyVerdict(channel.policy, channel.allowlist, row.sender_id);
  if (verdict !== "disabled" && verdict !== "not_allowed") return pass;
  return { kind: "stop", outcome: verdict, events: [dropped(row, verdict, now)], reply: null };
};

/** Stage 5: the sender's sliding window; the first refusal in a window is told to slow down. */
const rateLimitStage: Stage = ({ channel, cfg, row, now, window }) => {
  const limit = channel.rateLimitPerMinute ?? cfg.RATE_LIMIT_PER_MINUTE;
  const checked = checkWindow(window.get(), row.received_at, limit);
  window.set(checked.state);
  const { decision } = checked;
  if (decision.allowed) return pass;
  const detail = { messageId: row.id, limitPerMinute: limit, notified: decision.notify };
  const reply = decision.notify ? { text: notices.slowDown(Math.ceil(decision.retryAfterMs / 1000)), kind: "notice" as const } : null;
  return { kind: "stop", outcome: "rate_limited", events: [feedEvent("message.rate_limited", channel.id, row.sender_id, detail, now)], reply };
};

/** Stage 4 on a `pairing` channel (after the rate limit, so code guessing is limited too). */
const pairingStage: Stage = async ({ env, channel, db, sql, row, now }) => {
  if (policyVerdict(channel.policy, channel.allowlist, row.sender_id) !== "needs-pairing") return pass;
  const gate = await decidePairing(db, sql, env.THROTTLE, row, now);
  return gate ? { kind: "stop", outcome: gate.outcome, events: gate.events, reply: { text: gate.reply, kind: "notice" } } : pass;
};

/** Stage 7's first step: over a daily cap the sender gets the budget notice and no model is called. */
const budgetCheckStage: Stage = async (ctx) => {
  const over = await budgetStage({ db: ctx.db, cfg: ctx.cfg, channel: ctx.channel, senderId: ctx.row.sender_id, now: ctx.now });
  return over ? { kind: "stop", outcome: "over_budget", events: over.events, reply: over.reply } : pass;
};

/** Stage 7: the turn, in a container on a bridge when the channel says so, else here. */
const turnStage: Stage = async (ctx) => {
  const input = stageInput(ctx);
  const container = await dispatchContainerTurn({ ...input, env: ctx.env, cfg: ctx.cfg, sql: ctx.sql, inboxId: ctx.row.id, pending: ctx.pending() });
  if (container.kind === "waiting") return { kind: "waiting" };
  if (container.kind === "done") return { kind: "turn", runId: input.runId, stage: container.stage };
  const live = ctx.liveReply();
  live.begin();
  try {
    const stage = await agentStage({ ...input, conversation: ctx.conversation(), ...(live.streams ? { onText: live.text } : {}) });
    if (stage.approval) return { kind: "approval", runId: input.runId, paused: stage.approval.paused };
    return { kind: "turn", runId: input.runId, stage };
  } finally {
    await live.finish();
  }
};

/** Stage 7 again for a turn that waited for an approval: the same turn, continued with the decision (it may stop at another). */
export async function resumeTurn(ctx: MessageContext, resume: { paused: PausedTurn; decision: ApprovalDecision }): Promise<Decision> {
  const input = stageInput(ctx);
  const stage = await agentStage({ ...input, conversation: ctx.conversation(), resume });
  if (stage.approval) return { kind: "approval", runId: input.runId, paused: stage.approval.paused };
  return { kind: "turn", runId: input.runId, stage };
}

const STAGES: readonly Stage[] = [policyStage, rateLimitStage, pairingStage, budgetCheckStage, turnStage];

/** Runs the stages in order; the first one that decides ends the message's pipeline. */
export async function runPipeline(ctx: MessageContext): Promise<Decision> {
  for (const stage of STAGES) {
    const verdict = await stage(ctx);
    if (verdict.kind !== "pass") return verdict;
  }
  throw new Error("the turn stage always decides");
}

/** A message for a channel that no longer exists is dropped like one for a disabled channel. */
export function channelGone(row: InboxRow, now: number): Decision {
  return { kind: "stop", outcome: "disabled", events: [dropped(row, "channel deleted", now)], reply: null };
}

function dropped(row: InboxRow, reason: string, now: number): FeedEvent {
  return feedEvent("message.dropped", row.channel_id, row.sender_id, { messageId: row.id, reason }, now);
}

function stageInput(ctx: MessageContext): AgentStageInput {
  const { row } = ctx;
  return {
    env: ctx.env,
    cfg: ctx.cfg,
    db: ctx.db,
    sql: ctx.sql,
    channel: ctx.channel,
    senderId: row.sender_id,
    senderName: row.sender_name ?? undefined,
    text: row.text,
    attachments: row.attachments ? (JSON.parse(row.attachments) as Attachment[]) : undefined,
    media: { store: ctx.env.MEDIA, ai: ctx.env.AI, staged: ctx.env.MEDIA },
    messageId: row.id,
    runId: `run_${row.id.slice(4)}`,
    now: ctx.now,
  };
}
