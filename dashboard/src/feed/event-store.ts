/**
 * The feed's rows: merged from the REST backlog and the WebSocket, deduplicated by event id
 * (the same id travels both ways), newest first, capped so a busy gateway cannot grow the page forever.
 */
import type { FeedEvent } from "../api/types";

export const MAX_FEED_ROWS = 500;

export function mergeEvents(current: readonly FeedEvent[], incoming: readonly FeedEvent[]): FeedEvent[] {
  if (incoming.length === 0) return current as FeedEvent[];
  const byId = new Map(current.map((e) => [e.id, e]));
  let added = false;
  for (const e of incoming) {
    if (!byId.has(e.id)) {
      byId.set(e.id, e);
      added = true;
    }
  }
  if (!added) return current as FeedEvent[];
  // Ids are time-ordered, so sorting by id sorts by time even when two events share a millisecond.
  return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, MAX_FEED_ROWS);
}

/** A feed frame is an event when it has the event fields; `feed.hello` and pongs are not. */
export function parseFeedFrame(data: unknown): FeedEvent | null {
  if (typeof data !== "string" || data === "pong") return null;
  try {
    const v = JSON.parse(data) as Partial<FeedEvent>;
    if (typeof v.id !== "string" || typeof v.kind !== "string" || typeof v.at !== "number") return null;
    return { id: v.id, at: v.at, kind: v.kind, channelId: v.channelId ?? null, senderId: v.senderId ?? null, detail: v.detail ?? {} };
  } catch {
    return null;
  }
}
