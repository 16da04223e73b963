/**
 * The activity vocabulary: an event is one thing that happened (a message accepted, a reply
 * delivered, a bridge down...), shown live on the dashboard's feed and kept as a row of the
 * D1 `events` table. Every layer that does something worth showing records it this way.
 */
import type { BatchItem } from "drizzle-orm/batch";
import { newId } from "../crypto/random";
import { chunked } from "./chunked";
import type { Db } from "./client";
import { events } from "./schema";

export interface FeedEvent {
  id: string;
  at: number;
  kind: string;
  channelId?: string;
  senderId?: string;
  detail?: Record<string, unknown>;
}

export function feedEvent(
  kind: string,
  channelId: string | undefined,
  senderId: string | undefined,
  detail: Record<string, unknown> = {},
  at = Date.now(),
): FeedEvent {
  return { id: newId("evt"), at, kind, channelId, senderId, detail };
}

function eventRow(e: FeedEvent): typeof events.$inferInsert {
  return { id: e.id, at: e.at, kind: e.kind, channelId: e.channelId ?? null, senderId: e.senderId ?? null, detail: JSON.stringify(e.detail ?? {}) };
}

export function eventStatement(db: Db, e: FeedEvent): BatchItem<"sqlite"> {
  return db.insert(events).values(eventRow(e)).onConflictDoNothing();
}

/** Events in as few inserts as the bound-value limit allows. */
export function eventStatements(db: Db, list: FeedEvent[]): BatchItem<"sqlite">[] {
  return chunked(list, 6).map((group) => db.insert(events).values(group.map(eventRow)).onConflictDoNothing());
}
