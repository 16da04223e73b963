/**
 * SenderSession: one object per channel + sender (`idFromName(channelId + ":" + senderId)`).
 * `receive` persists and dedupes inside the webhook request; everything else (policy,
 * pairing, rate limit, agent turn, reply delivery with retries) runs from the alarm, so the
 * platform gets its 200 at once and a crash mid-turn resumes instead of losing the message.
 */
import { DurableObject } from "cloudflare:workers";
import { clearAgentMemory, migrateAgentMemory, saveAgentMemory } from "../src/agent/memory-store";
import { agentStage, budgetStage } from "../src/agent/pipeline-turn";
import type { ContainerTurnResult } from "../src/protocol/container";
import type { ChatTurn, MemoryUpdate } from "../src/agent/types";
import type { Attachment, InboundMessage } from "../src/channels/shared/types";
import { readConfig, type GatewayConfig } from "../src/config";
import { newId } from "../src/crypto/random";
import { openDb, type Db } from "../src/db/client";
import { loadChannel, type LoadedChannel } from "../src/pipeline/channel-store";
import { decidePairing } from "../src/pipeline/pairing-stage";
import { policyVerdict } from "../src/pipeline/policy";
import { deliveryStatements, messageStatements, type MessageRecord } from "../src/pipeline/records";
import { feedEvent, type FeedEvent } from "../src/db/feed-events";
import { checkWindow, type WindowState } from "../src/pipeline/sliding-window";
import { notices } from "../src/pipeline/notices";
import { splitText } from "../src/lib/split-text";
import { bridgeQueue } from "./bridge-hub";
import { emailTransport } from "./email-transport";
import { publishEvents } from "./live-feed";
import { containerWakeAt, dispatchContainerTurn, migrateContainerWaits, storeContainerResult, takeContainerOutcome } from "./sender-session-container";
import { dumpSessionTables, restoreSessionRows, type RestoreOutcome, type SessionTableDump } from "./sender-session-backup";
import type { BackupValue } from "../src/db/backup-tables";
import { kvGet, kvSet, migrate, type InboxRow, type OutboxRow } from "./sender-session-storage";
import { LEDGER_RETENTION_MS } from "../src/objects/ledger-retention";
import { createLogger } from "../src/lib/log";

const log = createLogger("sender-session");

/** Inbox rows and delivered outbox rows are kept this long for dedupe and inspection. */
/** Processing attempts before a message is answered with a failure notice instead. */
const POISON_ATTEMPTS = 5;
const ALARM_RETRY_BASE_MS = 1000;
const ALARM_RETRY_MAX_MS = 5 * 60_000;

/** Where and how a message's reply goes. */
interface ReplyRoute {
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

export class SenderSession extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(this.sql);
    migrateAgentMemory(this.sql);
    migrateContainerWaits(this.sql);
  }

  /** Stages 2 and 3: persist before acknowledging; a platform id seen before is a duplicate. */
  async receive(channelId: string, message: InboundMessage): Promise<ReceiveResult> {
    const seen = this.sql.exec<{ id: string }>("SELECT id FROM inbox WHERE platform_id = ?", message.platformMessageId).toArray()[0];
    if (seen) {
      log.info("duplicate dropped", { channelId, senderId: message.senderId, platformMessageId: message.platformMessageId });
      return { duplicate: true, messageId: seen.id };
    }
    const id = newId("msg");
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
    await this.wakeAt(Date.now());
    return { duplicate: false, messageId: id };
  }

  /** Sends the sender a message outside a turn (e.g. "you are paired"), through the same ledger. */
  async notify(channelId: string, senderId: string, text: string): Promise<void> {
    const turnId = newId("ntc");
    const conversationId = kvGet<string | null>(this.sql, "conversation", null);
    const channel = await loadChannel(openDb(this.env.DB), channelId, this.env);
    if (!channel) return;
    this.enqueue(channel, { turnId, runId: null, recipient: senderId, conversationId, inReplyTo: null, replyContext: null }, text, Date.now());
    await this.wakeAt(Date.now());
  }

  /** Deletes the conversation history of a session cleaned up after long inactivity. */
  async cleanup(): Promise<void> {
    this.sql.exec("DELETE FROM history");
    clearAgentMemory(this.sql);
  }

  /** A container run's result, from the BridgeHub; stored before the hub acknowledges it to the bridge. */
  async containerResult(runId: string, result: ContainerTurnResult): Promise<void> {
    if (storeContainerResult(this.sql, runId, result)) await this.wakeAt(Date.now());
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
    const outcome = this.ctx.storage.transactionSync(() => restoreSessionRows(this.sql, table, columns, rows, replace));
    if (outcome.ok) await this.scheduleNext();
    return outcome;
  }

  /** The conversation as the agent sees it, oldest first. */
  async history(): Promise<ChatTurn[]> {
    return this.sql.exec<{ role: "user" | "assistant"; content: string }>("SELECT role, content FROM history ORDER BY seq").toArray();
  }

  /**
   * The runtime retries a failing alarm only a few times and then gives up, which would strand
   * an acknowledged message. So failures are caught here and retried on our own schedule
   * (doubling, capped at ALARM_RETRY_MAX_MS), for as long as it takes: a D1 outage delays
   * records and replies but loses nothing. A message whose own processing keeps failing is
   * answered with a failure notice after POISON_ATTEMPTS, so it cannot block the ones behind it.
   */
  override async alarm(): Promise<void> {
    try {
      await this.work();
      kvSet(this.sql, "alarm_failures", 0);
    } catch (err) {
      const failures = kvGet<number>(this.sql, "alarm_failures", 0) + 1;
      kvSet(this.sql, "alarm_failures", failures);
      const retryInMs = Math.min(ALARM_RETRY_BASE_MS * 2 ** (failures - 1), ALARM_RETRY_MAX_MS);
      log.error("sender session alarm failed; retrying", { failures, retryInMs, error: String(err) });
      await this.ctx.storage.setAlarm(Date.now() + retryInMs);
    }
  }

  private async work(): Promise<void> {
    const cfg = readConfig(this.env);
    const db = openDb(this.env.DB);
    const channels = new Map<string, Promise<LoadedChannel | null>>();
    const channelFor = (id: string) => {
      let c = channels.get(id);
      if (!c) channels.set(id, (c = loadChannel(db, id, cfg)));
      return c;
    };
    for (;;) {
      const row = this.sql.exec<InboxRow>("SELECT * FROM inbox WHERE state != 'done' ORDER BY received_at, id LIMIT 1").toArray()[0];
      if (!row) break;
      if (row.state === "pending") {
        const attempts = kvGet<number>(this.sql, `attempts:${row.id}`, 0) + 1;
        kvSet(this.sql, `attempts:${row.id}`, attempts);
        if (attempts > POISON_ATTEMPTS) await this.failMessage(row, await channelFor(row.channel_id).catch(() => null));
        else await this.process(row, await channelFor(row.channel_id), db, cfg);
        this.sql.exec("DELETE FROM kv WHERE key = ?", `attempts:${row.id}`);
      }
      // A container run still has this message: it and the messages behind it wait.
      if (row.state === "waiting" && !(await this.resumeContainerTurn(row, await channelFor(row.channel_id)))) break;
      if (this.sql.exec<{ state: string }>("SELECT state FROM inbox WHERE id = ?", row.id).one().state === "waiting") break;
      await this.writeRecord(row.id, db);
    }
    await this.deliverDue(db, cfg, channelFor);
    this.sql.exec("DELETE FROM inbox WHERE state = 'done' AND received_at < ?", Date.now() - LEDGER_RETENTION_MS);
    this.sql.exec("DELETE FROM outbox WHERE status != 'pending' AND created_at < ?", Date.now() - LEDGER_RETENTION_MS);
    await this.scheduleNext();
  }

  /** Gives up on a message whose processing failed POISON_ATTEMPTS times: recorded, and the sender told. */
  private async failMessage(row: InboxRow, channel: LoadedChannel | null): Promise<void> {
    const now = Date.now();
    const record: MessageRecord = {
      at: now,
      channelId: row.channel_id,
      senderId: row.sender_id,
      senderName: row.sender_name ?? undefined,
      conversationId: row.conversation_id ?? undefined,
      inbound: { id: row.id, platformMessageId: row.platform_id, text: row.text, outcome: "failed" },
      events: [feedEvent("message.failed", row.channel_id, row.sender_id, { messageId: row.id, attempts: POISON_ATTEMPTS }, now)],
    };
    const reply = { text: notices.failed(), kind: "notice" as const };
    const route: ReplyRoute = {
      turnId: row.id,
      runId: null,
      recipient: row.sender_id,
      conversationId: row.conversation_id,
      inReplyTo: row.platform_id,
      replyContext: row.reply_context,
    };
    this.commit(row, channel, record, route, reply, [], null, now);
  }

  /** Stages 4 to 7 for one message; the outcome, history and replies are stored in one transaction. */
  private async process(row: InboxRow, channel: LoadedChannel | null, db: Db, cfg: GatewayConfig): Promise<void> {
    const now = Date.now();
    const { channel_id: channelId, sender_id: senderId } = row;
    const record: MessageRecord = {
      at: now,
      channelId,
      senderId,
      senderName: row.sender_name ?? undefined,
      conversationId: row.conversation_id ?? undefined,
      inbound: { id: row.id, platformMessageId: row.platform_id, text: row.text, outcome: "accepted" },
      events: [feedEvent("message.received", channelId, senderId, { messageId: row.id, text: row.text.slice(0, 200) }, now)],
    };
    const route = {
      turnId: row.id,
      runId: null as string | null,
      recipient: senderId,
      conversationId: row.conversation_id,
      inReplyTo: row.platform_id,
      replyContext: row.reply_context,
    };
    let reply: { text: string; kind: "reply" | "notice" } | null = null;
    const history: ChatTurn[] = [];
    let agentMemory: MemoryUpdate | null = null;

    const verdict = channel ? policyVerdict(channel.policy, channel.allowlist, senderId) : "disabled";
    if (verdict === "disabled" || verdict === "not_allowed") {
      record.inbound.outcome = verdict;
      record.events.push(feedEvent("message.dropped", channelId, senderId, { messageId: row.id, reason: channel ? verdict : "channel deleted" }, now));
    } else if (channel) {
      const limit = channel.rateLimitPerMinute ?? cfg.RATE_LIMIT_PER_MINUTE;
      const window = checkWindow(kvGet<WindowState>(this.sql, "window", { accepted: [], notifiedUntil: 0 }), row.received_at, limit);
      kvSet(this.sql, "window", window.state);
      if (!window.decision.allowed) {
        record.inbound.outcome = "rate_limited";
        record.events.push(
          feedEvent("message.rate_limited", channelId, senderId, { messageId: row.id, limitPerMinute: limit, notified: window.decision.notify }, now),
        );
        if (window.decision.notify) reply = { text: notices.slowDown(Math.ceil(window.decision.retryAfterMs / 1000)), kind: "notice" };
      } else {
        const gate = verdict === "needs-pairing" ? await decidePairing(db, this.sql, this.env.THROTTLE, row, now) : null;
        if (gate) {
          record.inbound.outcome = gate.outcome;
          record.events.push(...gate.events);
          reply = { text: gate.reply, kind: "notice" };
        } else {
          const runId = `run_${row.id.slice(4)}`;
          const stageInput = {
            env: this.env,
            cfg,
            db,
            sql: this.sql,
            channel,
            senderId,
            senderName: row.sender_name ?? undefined,
            text: row.text,
            attachments: row.attachments ? (JSON.parse(row.attachments) as Attachment[]) : undefined,
            runId,
            now,
          };
          const overBudget = await budgetStage(stageInput);
          const container = overBudget ? null : await dispatchContainerTurn({ ...stageInput, inboxId: row.id, pending: JSON.stringify({ record, route }) });
          if (container?.kind === "waiting") {
            this.sql.exec("UPDATE inbox SET state = 'waiting' WHERE id = ?", row.id);
            return;
          }
          const stage = overBudget ?? (container?.kind === "done" ? container.stage : await agentStage(stageInput));
          route.runId = stage.run ? runId : null;
          record.run = stage.run;
          record.apiCalls = stage.apiCalls;
          record.events.push(...stage.events);
          if (stage.overBudget) record.inbound.outcome = "over_budget";
          reply = stage.reply;
          history.push(...stage.turns);
          agentMemory = stage.memory;
        }
      }
    }
    this.commit(row, channel, record, route, reply, history, agentMemory, now);
  }

  /** The container run of a waiting message is over (or timed out): record it like a direct turn. False while it runs. */
  private async resumeContainerTurn(row: InboxRow, channel: LoadedChannel | null): Promise<boolean> {
    const now = Date.now();
    const outcome = await takeContainerOutcome(this.env, this.sql, row.id, row.channel_id, row.sender_id, now);
    if (!outcome) return false;
    const { record, route } = JSON.parse(outcome.pending) as { record: MessageRecord; route: ReplyRoute };
    const { stage } = outcome;
    route.runId = stage.run ? stage.run.id : null;
    record.run = stage.run;
    record.apiCalls = stage.apiCalls;
    record.events.push(...stage.events);
    this.commit(row, channel, record, route, stage.reply, stage.turns, stage.memory, now);
    return true;
  }

  /** The outcome, history, memory and reply of one message, in one transaction. */
  private commit(
    row: InboxRow,
    channel: LoadedChannel | null,
    record: MessageRecord,
    route: ReplyRoute,
    reply: { text: string; kind: "reply" | "notice" } | null,
    history: ChatTurn[],
    agentMemory: MemoryUpdate | null,
    now: number,
  ): void {
    if (reply) record.outbound = { id: `${row.id}:out`, text: reply.text, kind: reply.kind };

    this.ctx.storage.transactionSync(() => {
      for (const turn of history) this.sql.exec("INSERT INTO history (role, content, at) VALUES (?, ?, ?)", turn.role, turn.content, now);
      if (agentMemory) saveAgentMemory(this.sql, agentMemory, now);
      if (row.conversation_id) kvSet(this.sql, "conversation", row.conversation_id);
      if (reply && channel) this.enqueue(channel, route, reply.text, now);
      this.sql.exec("UPDATE inbox SET state = 'recording', record = ? WHERE id = ?", JSON.stringify(record), row.id);
    });
  }

  /** Writes a processed message's record to D1 (idempotent) and the live feed, then marks it done. */
  private async writeRecord(id: string, db: Db): Promise<void> {
    const row = this.sql.exec<{ record: string | null }>("SELECT record FROM inbox WHERE id = ?", id).toArray()[0];
    if (row?.record) {
      const record = JSON.parse(row.record) as MessageRecord;
      await db.batch(messageStatements(db, record));
      await publishEvents(this.env, record.events);
      log.info("message processed", {
        channelId: record.channelId,
        senderId: record.senderId,
        messageId: id,
        outcome: record.inbound.outcome,
        runId: record.run?.id ?? null,
      });
    }
    this.sql.exec("UPDATE inbox SET state = 'done', record = NULL WHERE id = ?", id);
  }

  private enqueue(channel: LoadedChannel, route: ReplyRoute, text: string, now: number): void {
    splitText(text, channel.adapter.maxMessageLength).forEach((chunk, i) => {
      this.sql.exec(
        `INSERT OR IGNORE INTO outbox (id, turn_id, run_id, channel_id, recipient, conversation_id, in_reply_to, reply_context, text, status, attempts, next_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
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
      );
    });
  }

  /**
   * Stage 8: delivers pending reply chunks in order. A failure blocks the chunks behind it
   * (replies never arrive out of order) and is retried with exponential backoff, honouring
   * the platform's Retry-After; after DELIVERY_MAX_ATTEMPTS it is marked failed on the run.
   */
  private async deliverDue(db: Db, cfg: GatewayConfig, channelFor: (id: string) => Promise<LoadedChannel | null>): Promise<void> {
    for (;;) {
      const row = this.sql.exec<OutboxRow>("SELECT * FROM outbox WHERE status = 'pending' ORDER BY created_at, id LIMIT 1").toArray()[0];
      if (!row || row.next_at > Date.now()) return;
      const channel = await channelFor(row.channel_id);
      const now = Date.now();
      const attempts = row.attempts + 1;
      const result = channel
        ? await channel.adapter.send(
            {
              recipient: row.recipient,
              conversationId: row.conversation_id ?? undefined,
              inReplyTo: row.in_reply_to ?? undefined,
              text: row.text,
              deliveryId: row.id,
              replyContext: row.reply_context ? (JSON.parse(row.reply_context) as Record<string, string>) : undefined,
            },
            {
              channelId: row.channel_id,
              config: channel.config,
              publicUrl: this.env.PUBLIC_URL ?? "",
              now,
              fetch: (input, init) => fetch(input, init),
              bridges: bridgeQueue(this.env),
              sendEmail: emailTransport(this.env),
            },
          )
        : ({ ok: false, retryable: false, error: "channel was deleted" } as const);
      const base = { channelId: row.channel_id, senderId: row.recipient, deliveryId: row.id, runId: row.run_id, attempts };
      let event: FeedEvent;
      let status: "sent" | "failed" | "retrying";
      if (result.ok) {
        this.sql.exec("UPDATE outbox SET status = 'sent', attempts = ? WHERE id = ?", attempts, row.id);
        status = "sent";
        event = feedEvent("reply.delivered", row.channel_id, row.recipient, base, now);
      } else if (result.retryable && attempts < cfg.DELIVERY_MAX_ATTEMPTS) {
        const delay = Math.max(result.retryAfterMs ?? 0, cfg.DELIVERY_RETRY_BASE_MS * 2 ** (attempts - 1));
        this.sql.exec("UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?", attempts, now + delay, result.error, row.id);
        status = "retrying";
        event = feedEvent("reply.retrying", row.channel_id, row.recipient, { ...base, error: result.error, retryInMs: delay }, now);
      } else {
        this.sql.exec("UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?", attempts, result.error, row.id);
        status = "failed";
        event = feedEvent("reply.failed", row.channel_id, row.recipient, { ...base, error: result.error }, now);
        log.error("reply delivery failed", { ...base, error: result.error });
      }
      await db.batch(deliveryStatements(db, { runId: row.run_id, status, attempts, error: result.ok ? undefined : result.error, at: now }, event) as [never]);
      await publishEvents(this.env, [event]);
      if (status === "retrying") return;
    }
  }

  private async scheduleNext(): Promise<void> {
    const first = this.sql
      .exec<{ id: string; state: string }>("SELECT id, state FROM inbox WHERE state != 'done' ORDER BY received_at, id LIMIT 1")
      .toArray()[0];
    const due = this.sql.exec<{ at: number | null }>("SELECT MIN(next_at) AS at FROM outbox WHERE status = 'pending'").toArray()[0]?.at ?? null;
    // A message waiting on a container run needs the alarm again when its result is in or at its deadline.
    const inboxAt = first ? (first.state === "waiting" ? containerWakeAt(this.sql, first.id, Date.now()) : Date.now()) : null;
    const next = inboxAt === null ? due : due === null ? inboxAt : Math.min(inboxAt, due);
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  private async wakeAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
