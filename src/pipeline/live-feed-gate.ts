/**
 * Publishes pipeline events to the LiveFeed object only while someone watches it. Each publish
 * is answered with the number of connected sockets; after an answer of 0 this isolate stops
 * publishing for FEED_IDLE_RECHECK_MS and then asks again, so with no dashboard open a message
 * costs no call to the one global object. A dashboard connecting through this isolate resumes
 * publishing at once (`feedWatched`); objects in other isolates notice within the recheck time.
 * The feed is best effort either way: every event is also recorded in D1, where the dashboard
 * reads the history when it opens.
 */
import type { FeedEvent } from "../db/feed-events";

export const FEED_IDLE_RECHECK_MS = 2_000;
const LIVE_FEED_NAME = "global";

/** Until when publishing is skipped (ms); 0 = publish. */
let idleUntil = 0;

/** A dashboard is connecting: publish from now on, without waiting for the recheck. */
export function feedWatched(): void {
  idleUntil = 0;
}

export async function publishIfWatched(env: Env, events: FeedEvent[], now = Date.now()): Promise<void> {
  if (events.length === 0 || now < idleUntil) return;
  try {
    const sockets = await env.LIVE_FEED.get(env.LIVE_FEED.idFromName(LIVE_FEED_NAME)).publish(events);
    if (sockets === 0) idleUntil = now + FEED_IDLE_RECHECK_MS;
  } catch (err) {
    console.warn(JSON.stringify({ msg: "live feed publish failed", error: String(err) }));
  }
}
