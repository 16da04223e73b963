/**
 * The bookkeeping of an alarm pass, done after the replies went out: every processed message's
 * record (src/pipeline/records.ts) with its reply's delivery outcome folded in, and the
 * outcomes of deliveries for messages recorded earlier, in one D1 batch; then the live feed,
 * when someone watches it. Writes are idempotent, so a pass retried after a failure rewrites
 * nothing twice.
 */
import type { Db } from "../src/db/client";
import { publishIfWatched } from "../src/pipeline/live-feed-gate";
import { deliveryUpdate, messageStatements, type DeliveryOutcome, type MessageRecord } from "../src/pipeline/records";
import { eventStatements, type FeedEvent } from "../src/db/feed-events";
import type { BatchItem } from "drizzle-orm/batch";
import type { DeliveryAttempt, DeliveryPass } from "./sender-session-delivery";

/** How often one sender's messages bump the channel's last-message time (the same shared row for every sender). */
const CHANNEL_TOUCH_EVERY_MS = 60_000;
const touchedAt = new Map<string, number>();

export interface PendingRecord {
  /** The inbox id. */
  id: string;
  record: MessageRecord;
  /** How its reply went in an earlier pass, when that is known from the outbox. */
  earlierDelivery?: DeliveryOutcome | null;
}

/** Writes the records and deliveries; returns the inbox ids whose records are now in D1. */
export async function writeRecords(o: { env: Env; db: Db; records: PendingRecord[]; delivery: DeliveryPass }): Promise<string[]> {
  const { db, records } = o;
  const byTurn = new Map<string, DeliveryAttempt[]>();
  for (const a of o.delivery.attempts) byTurn.set(a.turnId, [...(byTurn.get(a.turnId) ?? []), a]);
  const statements: BatchItem<"sqlite">[] = [];
  const published: FeedEvent[] = [];
  const now = Date.now();
  for (const { id, record, earlierDelivery } of records) {
    const attempts = byTurn.get(id) ?? [];
    byTurn.delete(id);
    const last = attempts.at(-1)?.outcome ?? earlierDelivery ?? null;
    const deliveryEvents = attempts.map((a) => a.event);
    statements.push(...messageStatements(db, record, { delivery: last, extraEvents: deliveryEvents, touchChannel: shouldTouch(record, now) }));
    published.push(...record.events, ...deliveryEvents);
  }
  // Deliveries of messages recorded in an earlier pass (retries, notices): their events, and the run catching up.
  const laterEvents: FeedEvent[] = [];
  for (const attempts of byTurn.values()) {
    laterEvents.push(...attempts.map((a) => a.event));
    const last = attempts.at(-1);
    if (last?.runId) statements.push(deliveryUpdate(db, last.runId, last.outcome));
  }
  statements.push(...eventStatements(db, laterEvents));
  published.push(...laterEvents);
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  for (const { id, record } of records) {
    console.log(
      JSON.stringify({
        msg: "message processed",
        channelId: record.channelId,
        senderId: record.senderId,
        messageId: id,
        outcome: record.inbound.outcome,
        runId: record.run?.id ?? null,
      }),
    );
  }
  await publishIfWatched(o.env, published);
  return records.map((r) => r.id);
}

/** The first message of a sender in CHANNEL_TOUCH_EVERY_MS bumps the channel row; the rest leave it. */
function shouldTouch(record: MessageRecord, now: number): boolean {
  const key = `${record.channelId}:${record.senderId}`;
  if (now - (touchedAt.get(key) ?? 0) < CHANNEL_TOUCH_EVERY_MS) return false;
  if (touchedAt.size > 10_000) touchedAt.clear();
  touchedAt.set(key, now);
  return true;
}
