/**
 * SenderSession: one object per channel + sender (`idFromName(channelId + ":" + senderId)`).
 * `receive` persists and dedupes inside the webhook request; everything else (policy,
 * pairing, rate limit, agent turn, reply delivery with retries) runs from the alarm, so the
 * platform gets its 200 at once and a crash mid-turn resumes instead of losing the message.
 * An alarm pass processes the waiting messages, delivers their replies, and only then writes
 * the records to D1, in one batch that already holds the delivery outcome.
 */
import { DurableObject } from "cloudflare:workers";
import { migrateAgentMemory } from "../src/agent/memory-store";
import type { ContainerTurnResult } from "../src/protocol/container";
import type { ChatTurn, MemoryUpdate } from "../src/agent/types";
import type { DirectRoute, InboundMessage } from "../src/channels/shared/types";
import { senderSession } from "../src/objects/addresses";
import { readConfig, type GatewayConfig } from "../src/config";
import { newId } from "../src/crypto/random";
import { openDb, type Db } from "../src/db/client";
import { fromSnapshot, loadChannel, type ChannelSnapshot, type LoadedChannel } from "../src/pipeline/channel-store";
import { notices } from "../src/pipeline/notices";
import type { DeliveryOutcome, MessageRecord } from "../src/pipeline/records";
import { feedEvent } from "../src/db/feed-events";
import type { WindowState } from "../src/pipeline/sliding-window";
import { splitText } from "../src/lib/split-text";
import { AlarmClock } from "./alarm-clock";
import { containerWakeAt, migrateContainerWaits, storeContainerResult, takeContainerOutcome } from "./sender-session-container";
import {
  applyDecision,
  approvalPromptText,
  approvalWaitOf,
  approvalWakeAt,
  approverOf,
  decisionToResume,
  insertApprovalWait,
  migrateApprovalWaits,
  type ApprovalRow,
  type Decider,
} from "./sender-session-approvals";
import type { ApprovalOutcome } from "../src/channels/shared/types";
import { eventStatements, type FeedEvent } from "../src/db/feed-events";
import { publishIfWatched } from "../src/pipeline/live-feed-gate";
import { ConversationStore } from "./sender-session-conversation";
import { runGatewayTool } from "./sender-session-gateway-tools";
import { deliverDue, sendContext, type DeliveryPass } from "./sender-session-delivery";
import { channelGone, resumeTurn, runPipeline, type Decision, type MessageContext, type Reply } from "./sender-session-pipeline";
import { writeRecords, type PendingRecord } from "./sender-session-records";
import { kvGet, kvSet, migrate, type InboxRow } from "./sender-session-storage";
import { LiveReply } from "./sender-session-live";
import { enqueueFile } from "./sender-session-files";
import type { AgentFile } from "../src/lib/agent-files";
import { dumpSessionTables, restoreSessionRows, type RestoreOutcome, type SessionTableDump } from "./sender-session-backup";
import type { BackupValue } from "../src/db/backup-tables";
import { LEDGER_RETENTION_MS } from "../src/objects/ledger-retention";
import { createLogger } from "../src/lib/log";

const log = createLogger("sender-session");

/** How often the object prunes rows past LEDGER_RETENTION_MS (not on every message). */
const RETENTION_SWEEP_EVERY_MS = 60 * 60_000;
/** Processing attempts before a message is answered with a failure notice instead. */
const POISON_ATTEMPTS = 5;
const ALARM_RETRY_BASE_MS = 1000;
const ALARM_RETRY_MAX_MS = 5 * 60_000;
/** Outbox rows per insert: 12 bound values each, at most 100 per statement. */
const OUTBOX_ROWS_PER_INSERT = 8;
/** A channel handed over with a message is trusted this long; later work loads it again. */
const CHANNEL_SNAPSHOT_TTL_MS = 5_000;

/** The kv key of the person's latest one-to-one chat (InboundMessage.directRoute). */
const DIRECT_ROUTE_KEY = "direct_route";

/** Where and how a message's reply goes. */
export interface ReplyRoute {
  turnId: string;
  runId: string | null;
  recipient: string;
  conversationId: string | null;
  inReplyTo: string | null;
  replyContext: string | null;
}

export interface ReceiveResult {
  duplicate: boolean;
  messageId: string;
}

type ChannelFor = (id: string) => Promise<LoadedChannel | null>;

export class SenderSession extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly clock: AlarmClock;
  private readonly conversation: ConversationStore;
  /** The limiter window, read once per instance and written through. */
  private window: WindowState | null = null;
  /** Channels handed over by the webhook with a message, and when. */
  private readonly handedOver = new Map<string, { channel: LoadedChannel; at: number }>();
  private lastConversationId: string | null | undefined;
  private alarmFailures: number | undefined;
  private sweptAt = 0;
  /**
   * Messages this instance received and has not yet finished. Any other open message was left
   * by an earlier instance, which may have died on it: that counts as a failed attempt.
   */
  private readonly receivedHere = new Set<string>();
  /** The message being processed, charged with a failed attempt if the pass throws. */
  private processing: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.clock = new AlarmClock(ctx.storage);
    this.conversation = new ConversationStore(this.sql);
    migrate(this.sql, (fn) => ctx.storage.transactionSync(fn));
    migrateAgentMemory(this.sql);
    migrateContainerWaits(this.sql);
    migrateApprovalWaits(this.sql);
  }

  /**
   * Stages 2 and 3: persist before acknowledging; a platform id seen before is a duplicate.
   * `channel` is the channel as the webhook just loaded it, so the alarm need not load it again.
   */
  async receive(channelId: string, message: InboundMessage, channel?: ChannelSnapshot): Promise<ReceiveResult> {
    const id = newId("msg");
    const seen = this.sql.exec(
      "INSERT INTO inbox_seen (platform_id, id, received_at) VALUES (?, ?, ?) ON CONFLICT (platform_id) DO NOTHING",
      message.platformMessageId,
      id,
      message.receivedAt,
    );
    if (seen.rowsWritten === 0) {
      const first = this.sql.exec<{ id: string }>("SELECT id FROM inbox_seen WHERE platform_id = ?", message.platformMessageId).one();
      log.info("duplicate dropped", { channelId, senderId: message.senderId, platformMessageId: message.platformMessageId });
      return { duplicate: true, messageId: first.id };
    }
    // Both rows in the same synchronous step: one implicit transaction, committed before the 200.
    this.sql.exec(
      `INSERT INTO inbox (id, platform_id, channel_id, sender_id, sender_name, conversation_id, text, attachments, reply_context, received_at, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
      id,
      message.platformMessageId,
      channelId,
      message.senderId,
      message.senderName ?? null,
      message.conversationId ?? null,
      message.text,
      message.attachments ? JSON.stringify(message.attachments) : null,
      message.replyContext ? JSON.stringify(message.replyContext) : null,
      message.receivedAt,
    );
    this.receivedHere.add(id);
    // The latest one-to-one chat with this person, for platforms that cannot reach them by id alone.
    if (message.directRoute) kvSet(this.sql, DIRECT_ROUTE_KEY, message.directRoute);
    const loaded = channel && channel.id === channelId ? fromSnapshot(openDb(this.env.DB), channel) : null;
    if (loaded) this.handedOver.set(channelId, { channel: loaded, at: Date.now() });
    await this.clock.wakeBy(Date.now());
    return { duplicate: false, messageId: id };
  }

  /** Sends the sender a message outside a turn (e.g. "you are paired"), through the same ledger. */
  async notify(channelId: string, senderId: string, text: string): Promise<void> {
    const turnId = newId("ntc");
    const conversationId = kvGet<string | null>(this.sql, "conversation", null);
    const channel = await loadChannel(openDb(this.env.DB), channelId, this.env);
    if (!channel) return;
    this.enqueue(channel, { turnId, runId: null, recipient: senderId, conversationId, inReplyTo: null, replyContext: null }, text, Date.now());
    await this.clock.wakeBy(Date.now());
  }

  /** Where a message to this person alone can go (InboundMessage.directRoute); null until they wrote in a one-to-one chat. */
  async directRoute(): Promise<DirectRoute | null> {
    return kvGet<DirectRoute | null>(this.sql, DIRECT_ROUTE_KEY, null);
  }

  /** Deletes the conversation history of a session cleaned up after long inactivity. */
  async cleanup(): Promise<void> {
    this.conversation.clear();
  }

  /** The agent's notes on this sender, for the dashboard. */
  async notes(): Promise<{ id: number; text: string; at: number }[]> {
    return this.conversation.notes();
  }

  async editNote(id: number, text: string): Promise<boolean> {
    return this.conversation.editNote(id, text);
  }

  async removeNote(id: number): Promise<boolean> {
    return this.conversation.removeNote(id);
  }

  /** The sender was deleted by the admin: history, summaries, notes and their search index go. */
  async forget(): Promise<void> {
    this.conversation.clear();
  }

  /** A container run's result, from the BridgeHub; stored before the hub acknowledges it to the bridge. */
  async containerResult(runId: string, result: ContainerTurnResult): Promise<void> {
    if (storeContainerResult(this.sql, runId, result)) await this.clock.wakeBy(Date.now());
  }

  /** A gateway tool a container run of this sender asked for, relayed by the BridgeHub. */
  async containerTool(runId: string, name: string, input: unknown): Promise<{ content: string; isError?: boolean }> {
    return runGatewayTool({ env: this.env, sql: this.sql, conversation: this.conversation, runId, name, input });
  }

  /**
   * A decision on one of this sender's approvals, from a chat button or the dashboard. Only the
   * approver's presses count (others are refused and recorded); a second decision changes
   * nothing. The decision is on the feed at once; the turn resumes from the alarm.
   */
  async decideApproval(approvalId: string, approve: boolean, by: Decider): Promise<ApprovalOutcome> {
    const now = Date.now();
    const { outcome, row } = applyDecision(this.sql, approvalId, approve, by, now);
    if (!row || outcome.kind === "unknown" || outcome.kind === "already") return outcome;
    const who =
      by.via === "dashboard" ? { by: by.name, via: "dashboard" } : { by: by.deciderId, byName: by.deciderName, via: by.channelType, channelId: by.channelId };
    const event =
      outcome.kind === "decided"
        ? feedEvent(
            "approval.decided",
            row.channel_id,
            row.sender_id,
            { approvalId, messageId: row.inbox_id, runId: row.run_id, decision: outcome.decision, ...who },
            now,
          )
        : feedEvent("approval.refused", row.channel_id, row.sender_id, { approvalId, messageId: row.inbox_id, reason: "not the approver", ...who }, now);
    if (by.via === "chat" && outcome.kind === "refused") log.warn("approval press refused", { approvalId, channelId: by.channelId, deciderId: by.deciderId });
    await this.recordNow([event]);
    if (outcome.kind === "decided") await this.clock.wakeBy(now);
    return outcome;
  }

  /** Every table of this object with its rows, for `loopgate export` (see docs/backup.md). */
  async exportState(): Promise<SessionTableDump[]> {
    return dumpSessionTables(this.sql);
  }

  /**
   * One chunk of a table from `loopgate import`, in one transaction; `replace` empties the table
   * first. Afterwards the alarm is set for whatever the restored ledgers still owe.
   */
  async restoreRows(table: string, columns: string[], rows: BackupValue[][], replace: boolean): Promise<RestoreOutcome> {
    const outcome = this.ctx.storage.transactionSync(() => {
      const restored = restoreSessionRows(this.sql, table, columns, rows, replace);
      // A backup from before inbox_seen kept finished messages in the inbox: their ids go to inbox_seen, the rows away.
      if (restored.ok && table === "inbox") {
        this.sql.exec("INSERT OR IGNORE INTO inbox_seen (platform_id, id, received_at) SELECT platform_id, id, received_at FROM inbox");
        this.sql.exec("DELETE FROM inbox WHERE state = 'done'");
      }
      return restored;
    });
    if (outcome.ok) await this.clock.wakeBy(Date.now());
    return outcome;
  }

  /** The conversation as the agent sees it, oldest first. */
  async history(): Promise<ChatTurn[]> {
    return this.conversation.all();
  }

  /**
   * The runtime retries a failing alarm only a few times and then gives up, which would strand
   * an acknowledged message. So failures are caught here and retried on our own schedule
   * (doubling, capped at ALARM_RETRY_MAX_MS), for as long as it takes: a D1 outage delays
   * records and replies but loses nothing. A message whose own processing keeps failing is
   * answered with a failure notice after POISON_ATTEMPTS, so it cannot block the ones behind it.
   */
  override async alarm(): Promise<void> {
    this.clock.fired();
    this.alarmFailures ??= kvGet<number>(this.sql, "alarm_failures", 0);
    try {
      await this.work();
      if (this.alarmFailures > 0) kvSet(this.sql, "alarm_failures", (this.alarmFailures = 0));
    } catch (err) {
      // The message being processed when it failed: after POISON_ATTEMPTS it is answered with a notice.
      if (this.processing) this.sql.exec("UPDATE inbox SET attempts = attempts + 1 WHERE id = ?", this.processing);
      this.processing = null;
      const failures = ++this.alarmFailures;
      kvSet(this.sql, "alarm_failures", failures);
      const retryInMs = Math.min(ALARM_RETRY_BASE_MS * 2 ** (failures - 1), ALARM_RETRY_MAX_MS);
      log.error("sender session alarm failed; retrying", { failures, retryInMs, error: String(err) });
      await this.clock.wakeBy(Date.now() + retryInMs);
    }
  }

  /** One pass: process what waits (in order), deliver what is due, then record both in D1. */
  private async work(): Promise<void> {
    const cfg = readConfig(this.env);
    const db = openDb(this.env.DB);
    const channelFor = this.channelLoader(db, cfg);
    const toRecord: PendingRecord[] = [];
    let blockedBy: InboxRow | null = null;
    const unfinished = this.sql.exec<InboxRow>("SELECT * FROM inbox ORDER BY received_at, id").toArray();
    for (const row of unfinished) {
      if (row.state === "pending") {
        // Attempts are written only when one failed: a throw (alarm's catch) or an earlier instance that stopped mid-message.
        if (!this.receivedHere.has(row.id)) {
          row.attempts = this.sql.exec<{ attempts: number }>("UPDATE inbox SET attempts = attempts + 1 WHERE id = ? RETURNING attempts", row.id).one().attempts;
          this.receivedHere.add(row.id);
        }
        const poisoned = row.attempts >= POISON_ATTEMPTS;
        this.processing = row.id;
        const channel = await channelFor(row.channel_id).catch((err: unknown) => {
          if (poisoned) return null;
          throw err;
        });
        const record = poisoned ? this.failMessage(row, channel) : await this.process(row, channel, db, cfg);
        this.processing = null;
        if (!record) {
          blockedBy = row;
          break;
        }
        toRecord.push({ id: row.id, record });
      } else if (row.state === "waiting") {
        // A container run or an approval still has this message: it and the messages behind it wait.
        const approval = approvalWaitOf(this.sql, row.id);
        const channel = await channelFor(row.channel_id);
        const record = approval ? await this.resumeApprovedTurn(row, approval, channel, db, cfg) : await this.resumeContainerTurn(row, channel);
        if (!record) {
          blockedBy = row;
          break;
        }
        toRecord.push({ id: row.id, record });
      } else if (row.record) {
        // Processed in an earlier pass whose D1 write failed: its reply may have gone out since.
        const earlierDelivery = row.delivery ? (JSON.parse(row.delivery) as DeliveryOutcome) : null;
        toRecord.push({ id: row.id, record: JSON.parse(row.record) as MessageRecord, earlierDelivery });
      }
    }
    const delivery = await deliverDue({ sql: this.sql, env: this.env, cfg, channelFor });
    await this.record(db, toRecord, delivery);
    this.sweep();
    const now = Date.now();
    const inboxAt = blockedBy ? this.waitWakeAt(blockedBy.id, now) : null;
    const next = inboxAt === null ? delivery.nextDueAt : delivery.nextDueAt === null ? inboxAt : Math.min(inboxAt, delivery.nextDueAt);
    if (next !== null) await this.clock.wakeBy(next);
  }

  /** Channels for this pass: the one the webhook handed over while fresh, else loaded once from D1. */
  private channelLoader(db: Db, cfg: GatewayConfig): ChannelFor {
    const loaded = new Map<string, Promise<LoadedChannel | null>>();
    return (id) => {
      let channel = loaded.get(id);
      if (!channel) {
        const handed = this.handedOver.get(id);
        channel = handed && Date.now() - handed.at <= CHANNEL_SNAPSHOT_TTL_MS ? Promise.resolve(handed.channel) : loadChannel(db, id, cfg);
        loaded.set(id, channel);
      }
      return channel;
    };
  }

  /** Stages 4 to 7 for one message; null when a container run took it (the message now waits). */
  private async process(row: InboxRow, channel: LoadedChannel | null, db: Db, cfg: GatewayConfig): Promise<MessageRecord | null> {
    const now = Date.now();
    const record = newRecord(row, "accepted", now);
    record.events.push(feedEvent("message.received", row.channel_id, row.sender_id, { messageId: row.id, text: row.text.slice(0, 200) }, now));
    const route = replyRoute(row);
    const pending = () => JSON.stringify({ record, route });
    const ctx: MessageContext | null = channel && this.messageContext(row, channel, db, cfg, now, pending);
    const decision: Decision = ctx ? await runPipeline(ctx) : channelGone(row, now);
    if (decision.kind === "waiting") {
      this.sql.exec("UPDATE inbox SET state = 'waiting' WHERE id = ?", row.id);
      return null;
    }
    if (decision.kind === "approval") {
      await this.openApproval(row, channel!, db, decision, pending(), now);
      return null;
    }
    return this.settle(row, channel, record, route, decision, now);
  }

  private messageContext(row: InboxRow, channel: LoadedChannel, db: Db, cfg: GatewayConfig, now: number, pending: () => string): MessageContext {
    return {
      env: this.env,
      cfg,
      db,
      sql: this.sql,
      row,
      channel,
      now,
      window: { get: () => (this.window ??= kvGet<WindowState>(this.sql, "window", { accepted: [], notifiedUntil: 0 })), set: (s) => this.saveWindow(s) },
      conversation: () => this.conversation.current(),
      pending,
      liveReply: () => this.liveReply(channel, replyRoute(row), now),
    };
  }

  /** A stage's verdict, stored: the outcome, the run, the reply. */
  private settle(
    row: InboxRow,
    channel: LoadedChannel | null,
    record: MessageRecord,
    route: ReplyRoute,
    decision: Exclude<Decision, { kind: "waiting" } | { kind: "approval" }>,
    now: number,
  ): MessageRecord {
    if (decision.kind === "stop") {
      record.inbound.outcome = decision.outcome;
      record.events.push(...decision.events);
      return this.commit(row, channel, record, route, decision.reply, [], null, now);
    }
    const { stage, runId } = decision;
    route.runId = stage.run ? runId : null;
    record.run = stage.run;
    record.apiCalls = stage.apiCalls;
    if (stage.media?.length) record.media = stage.media;
    record.events.push(...stage.events);
    if (stage.overBudget) record.inbound.outcome = "over_budget";
    return this.commit(row, channel, record, route, stage.reply, stage.turns, stage.memory, now);
  }

  /** The typing indicator and streamed reply for a turn, with the channel context a delivery would use. */
  private liveReply(channel: LoadedChannel, route: ReplyRoute, now: number): LiveReply {
    return new LiveReply({
      sql: this.sql,
      adapter: channel.adapter,
      turnId: route.turnId,
      target: {
        recipient: route.recipient,
        conversationId: route.conversationId ?? undefined,
        inReplyTo: route.inReplyTo ?? undefined,
        replyContext: route.replyContext ? (JSON.parse(route.replyContext) as Record<string, string>) : undefined,
      },
      ctx: sendContext(this.env, channel.id, channel.config, now),
      // Only pushed to watching dashboards, never stored: the finished reply is the record.
      onShown: (text) =>
        void publishIfWatched(this.env, [feedEvent("reply.progress", channel.id, route.recipient, { turnId: route.turnId, inReplyTo: route.inReplyTo, text })]),
    });
  }

  /**
   * The turn stopped at an "ask first" call: the approval is on the feed (and in D1, where a
   * button press finds it) before the wait, the prompt and the message's `waiting` state are
   * stored in one transaction.
   */
  private async openApproval(row: InboxRow, channel: LoadedChannel, db: Db, decision: Extract<Decision, { kind: "approval" }>, pending: string, now: number) {
    const approver = approverOf(channel.agent, row.sender_id);
    const tools = decision.paused.toolCalls.filter((c) => !c.result).map(({ name, input }) => ({ name, input }));
    const deadline = now + approver.timeoutSeconds * 1000;
    const id = newId("evt");
    const reach: { prompt: ReplyRoute | null; unreachable?: string } =
      approver.kind === "sender" ? { prompt: { ...replyRoute(row), turnId: id } } : await this.adminPromptRoute(channel, approver.id, row, id);
    const detail = {
      approvalId: id,
      messageId: row.id,
      runId: decision.runId,
      tools,
      approver: approver.kind,
      approverId: approver.id,
      deadline,
      ...(reach.unreachable ? { unreachable: reach.unreachable } : {}),
    };
    const events = [{ ...feedEvent("approval.requested", row.channel_id, row.sender_id, detail, now), id }];
    if (reach.unreachable)
      events.push(
        feedEvent(
          "approval.unreachable",
          row.channel_id,
          row.sender_id,
          { approvalId: id, approverId: approver.id, reason: reach.unreachable, adminAction: true },
          now,
        ),
      );
    // The event's id is the approval's: a button press or the dashboard finds the sender's object from it.
    await this.recordNow(events);
    const text = approvalPromptText(tools, {
      senderName: row.sender_name ?? row.sender_id,
      forSender: approver.kind === "sender",
      timeoutSeconds: approver.timeoutSeconds,
      buttons: channel.adapter.approvalButtons === true,
    });
    const prompt = reach.prompt;
    this.ctx.storage.transactionSync(() => {
      insertApprovalWait(this.sql, {
        id,
        inbox_id: row.id,
        run_id: decision.runId,
        channel_id: row.channel_id,
        sender_id: row.sender_id,
        approver_kind: approver.kind,
        approver_id: approver.id,
        tools: JSON.stringify(tools),
        paused: JSON.stringify(decision.paused),
        pending,
        created_at: now,
        deadline,
      });
      this.sql.exec("UPDATE inbox SET state = 'waiting' WHERE id = ?", row.id);
      if (prompt) this.enqueue(channel, prompt, text, now, { approvalId: id });
    });
  }

  /**
   * Where the admin's prompt goes: to their id, or on platforms that can only write into a chat
   * the person started (Teams), into the one-to-one chat their own object keeps. Without one
   * (or without an admin id) nobody is asked in chat; `unreachable` says why, for the feed.
   */
  private async adminPromptRoute(
    channel: LoadedChannel,
    adminId: string | null,
    row: InboxRow,
    turnId: string,
  ): Promise<{ prompt: ReplyRoute | null; unreachable?: string }> {
    if (!adminId) return { prompt: null };
    const base = { turnId, runId: null, recipient: adminId, inReplyTo: null };
    if (!channel.adapter.directRouteRequired) return { prompt: { ...base, conversationId: adminId, replyContext: null } };
    const route =
      adminId === row.sender_id
        ? await this.directRoute()
        : await senderSession(this.env, row.channel_id, adminId)
            .directRoute()
            .catch(() => null);
    if (!route)
      return {
        prompt: null,
        unreachable: `the admin (${adminId}) has not written to the bot in a one-to-one chat yet, so the prompt cannot be sent there; decide in the dashboard`,
      };
    return { prompt: { ...base, conversationId: route.conversationId, replyContext: route.replyContext ? JSON.stringify(route.replyContext) : null } };
  }

  /** A message waiting for an approval: once decided (or expired) its turn continues; null while it waits. */
  private async resumeApprovedTurn(
    row: InboxRow,
    approval: ApprovalRow,
    channel: LoadedChannel | null,
    db: Db,
    cfg: GatewayConfig,
  ): Promise<MessageRecord | null> {
    const now = Date.now();
    const resume = decisionToResume(this.sql, approval, now);
    if (!resume) return null;
    const { record, route } = JSON.parse(approval.pending) as { record: MessageRecord; route: ReplyRoute };
    if (approval.decided_via === "timeout")
      record.events.push(
        feedEvent(
          "approval.decided",
          row.channel_id,
          row.sender_id,
          { approvalId: approval.id, messageId: row.id, runId: approval.run_id, decision: "expired", by: "timeout", via: "timeout" },
          now,
        ),
      );
    if (!channel) return this.settle(row, null, record, route, channelGone(row, now) as Extract<Decision, { kind: "stop" }>, now);
    const decision = await resumeTurn(
      this.messageContext(row, channel, db, cfg, now, () => approval.pending),
      resume,
    );
    if (decision.kind === "approval") {
      await this.openApproval(row, channel, db, decision, JSON.stringify({ record, route }), now);
      return null;
    }
    if (decision.kind === "waiting") throw new Error("a resumed turn never waits for a container");
    return this.settle(row, channel, record, route, decision, now);
  }

  /** When a blocked message needs the alarm: its approval's deadline (or now once decided), else its container run's. */
  private waitWakeAt(inboxId: string, now: number): number {
    const approval = approvalWaitOf(this.sql, inboxId);
    return approval ? approvalWakeAt(approval, now) : containerWakeAt(this.sql, inboxId, now);
  }

  /** Events that must be in D1 (and on the feed) before the pass goes on, not with the records. */
  private async recordNow(list: FeedEvent[]): Promise<void> {
    const db = openDb(this.env.DB);
    const [first, ...rest] = eventStatements(db, list);
    if (first) await db.batch([first, ...rest]);
    await publishIfWatched(this.env, list);
  }

  /** Gives up on a message whose processing failed POISON_ATTEMPTS times: recorded, and the sender told. */
  private failMessage(row: InboxRow, channel: LoadedChannel | null): MessageRecord {
    const now = Date.now();
    const record = newRecord(row, "failed", now);
    record.events.push(feedEvent("message.failed", row.channel_id, row.sender_id, { messageId: row.id, attempts: POISON_ATTEMPTS }, now));
    return this.commit(row, channel, record, replyRoute(row), { text: notices.failed(), kind: "notice" }, [], null, now);
  }

  /** The container run of a waiting message is over (or timed out): record it like a direct turn. Null while it runs. */
  private async resumeContainerTurn(row: InboxRow, channel: LoadedChannel | null): Promise<MessageRecord | null> {
    const now = Date.now();
    const outcome = await takeContainerOutcome(this.env, this.sql, row.id, row.channel_id, row.sender_id, now);
    if (!outcome) return null;
    const { record, route } = JSON.parse(outcome.pending) as { record: MessageRecord; route: ReplyRoute };
    const { stage } = outcome;
    route.runId = stage.run ? stage.run.id : null;
    record.run = stage.run;
    record.apiCalls = stage.apiCalls;
    record.events.push(...stage.events);
    return this.commit(row, channel, record, route, stage.reply, stage.turns, stage.memory, now);
  }

  /** The outcome, history, memory and reply of one message, in one transaction. */
  private commit(
    row: InboxRow,
    channel: LoadedChannel | null,
    record: MessageRecord,
    route: ReplyRoute,
    reply: Reply | null,
    history: ChatTurn[],
    agentMemory: MemoryUpdate | null,
    now: number,
  ): MessageRecord {
    if (reply) record.outbound = { id: `${row.id}:out`, text: reply.text, kind: reply.kind };
    this.ctx.storage.transactionSync(() => {
      this.conversation.append(history, agentMemory, now);
      if (row.conversation_id && row.conversation_id !== this.lastConversationId) kvSet(this.sql, "conversation", row.conversation_id);
      if (reply && channel) this.enqueue(channel, route, reply.text, now, { files: reply.files });
      this.sql.exec("UPDATE inbox SET state = 'recording', record = ? WHERE id = ?", JSON.stringify(record), row.id);
    });
    if (row.conversation_id) this.lastConversationId = row.conversation_id;
    return record;
  }

  /**
   * Writes the pass's records and delivery outcomes to D1 in one batch, then removes the messages
   * from the inbox (their platform ids stay in inbox_seen). Delivered chunks are gone from the
   * outbox by then, so when the D1 write fails, each message keeps its reply's outcome for the next pass.
   */
  private async record(db: Db, pending: PendingRecord[], delivery: DeliveryPass): Promise<void> {
    let written: string[];
    try {
      written = await writeRecords({ env: this.env, db, records: pending, delivery });
    } catch (err) {
      const ids = new Set(pending.map((p) => p.id));
      const last = new Map(delivery.attempts.filter((a) => ids.has(a.turnId)).map((a) => [a.turnId, a.outcome]));
      for (const [id, outcome] of last) this.sql.exec("UPDATE inbox SET delivery = ? WHERE id = ?", JSON.stringify(outcome), id);
      throw err;
    }
    if (written.length === 0) return;
    this.sql.exec(`DELETE FROM inbox WHERE id IN (${written.map(() => "?").join(", ")})`, ...written);
    for (const id of written) this.receivedHere.delete(id);
  }

  /** Queues a reply's chunks, then its files; `approvalId` puts the approval's buttons on the last chunk. */
  private enqueue(channel: LoadedChannel, route: ReplyRoute, text: string, now: number, extra: { approvalId?: string; files?: AgentFile[] } = {}): void {
    const { approvalId = null, files = [] } = extra;
    const chunks = splitText(text, channel.adapter.maxMessageLength);
    const rows = chunks.map((chunk, i) => [
      `${route.turnId}:${String(i).padStart(4, "0")}`,
      route.turnId,
      route.runId,
      channel.id,
      route.recipient,
      route.conversationId,
      route.inReplyTo,
      route.replyContext,
      chunk,
      now,
      now,
      i === chunks.length - 1 ? approvalId : null,
    ]);
    // Files follow the text as rows of their own, numbered on after its chunks: delivered in order, once each.
    files.forEach((file, i) => enqueueFile(this.sql, `${route.turnId}:${String(chunks.length + i).padStart(4, "0")}`, channel.id, route, file, now));
    // A statement binds at most 100 values: long replies split into many chunks go in groups.
    for (let i = 0; i < rows.length; i += OUTBOX_ROWS_PER_INSERT) {
      const group = rows.slice(i, i + OUTBOX_ROWS_PER_INSERT);
      this.sql.exec(
        `INSERT OR IGNORE INTO outbox (id, turn_id, run_id, channel_id, recipient, conversation_id, in_reply_to, reply_context, text, status, attempts, next_at, created_at, approval_id)
         VALUES ${group.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)").join(", ")}`,
        ...group.flat(),
      );
    }
  }

  private saveWindow(state: WindowState): void {
    this.window = state;
    kvSet(this.sql, "window", state);
  }

  /** Prunes rows past LEDGER_RETENTION_MS, at most once per RETENTION_SWEEP_EVERY_MS. */
  private sweep(): void {
    const now = Date.now();
    if (now - this.sweptAt < RETENTION_SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    this.sql.exec("DELETE FROM inbox_seen WHERE received_at < ?", now - LEDGER_RETENTION_MS);
    this.sql.exec("DELETE FROM live_reply WHERE updated_at < ?", now - LEDGER_RETENTION_MS);
    this.sql.exec("DELETE FROM approval_waits WHERE decision IS NOT NULL AND created_at < ?", now - LEDGER_RETENTION_MS);
  }
}

function newRecord(row: InboxRow, outcome: MessageRecord["inbound"]["outcome"], now: number): MessageRecord {
  return {
    at: now,
    channelId: row.channel_id,
    senderId: row.sender_id,
    senderName: row.sender_name ?? undefined,
    conversationId: row.conversation_id ?? undefined,
    inbound: { id: row.id, platformMessageId: row.platform_id, text: row.text, outcome },
    events: [],
  };
}

function replyRoute(row: InboxRow): ReplyRoute {
  return {
    turnId: row.id,
    runId: null,
    recipient: row.sender_id,
    conversationId: row.conversation_id,
    inReplyTo: row.platform_id,
    replyContext: row.reply_context,
  };
}
