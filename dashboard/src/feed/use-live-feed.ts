/** The live feed as a hook: backlog from GET /api/events, then the WebSocket, merged without duplicates. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, body, liveFeedProtocols, liveFeedUrl } from "../api/client";
import type { FeedEvent } from "../api/types";
import { currentSession, signOut } from "../auth/session";
import { fetchMissedEvents, newerId } from "./catch-up";
import { MAX_FEED_ROWS, mergeEvents, parseFeedFrame } from "./event-store";
import { type ConnectionState, LiveConnection } from "./live-connection";
import { applyFrames, type ReplyInProgress } from "./reply-progress";

/**
 * Objects publish to the feed only while someone watches, and notice a new watcher within
 * FEED_IDLE_RECHECK_MS (2 s, src/pipeline/live-feed-gate.ts): events of that gap, and of the
 * moment between the backlog request and the socket opening, are in D1 but were never pushed.
 * One more catch-up this long after the socket opens picks them up (a failed delivery must not
 * be missing from the feed until a reload).
 */
const SETTLE_CATCH_UP_MS = 2_500;

/** Rows per backlog request: the first connection shows one page; a reconnection pages until caught up. */
const BACKLOG_PAGE_ROWS = 200;

export function useLiveFeed(): { events: FeedEvent[]; progress: ReplyInProgress[]; state: ConnectionState; retryNow: () => void } {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [progress, setProgress] = useState<ReplyInProgress[]>([]);
  const [state, setState] = useState<ConnectionState>({ kind: "connecting" });
  const connection = useRef<LiveConnection | null>(null);
  /** The newest event id received by either way: where a reconnection catches up from. */
  const lastSeenId = useRef<string | undefined>(undefined);

  useEffect(() => {
    const add = (incoming: FeedEvent[]) => {
      for (const e of incoming) lastSeenId.current = newerId(lastSeenId.current, e.id);
      setEvents((cur) => mergeEvents(cur, incoming));
    };
    const catchUp = async (since: string | undefined) => {
      const missed = await fetchMissedEvents(
        async (query) => (await body(api.events.$get({ query: { limit: String(query.limit), after: query.after, before: query.before } }))).events,
        since,
        { pageSize: BACKLOG_PAGE_ROWS, maxRows: MAX_FEED_ROWS },
      );
      add(missed.events);
    };
    let settle: ReturnType<typeof setTimeout> | undefined;
    const conn = new LiveConnection({
      url: liveFeedUrl,
      protocols: () => liveFeedProtocols(currentSession()?.token ?? ""),
      onState: (s) => {
        setState(s);
        if (s.kind !== "live") return;
        const since = lastSeenId.current;
        clearTimeout(settle);
        settle = setTimeout(() => void catchUp(since).catch(() => undefined), SETTLE_CATCH_UP_MS);
      },
      onRevoked: () => signOut("expired"),
      onFrame: (data) => {
        const event = parseFeedFrame(data);
        if (!event) return;
        setProgress((cur) => applyFrames(cur, [event]));
        // A reply in progress is not an event that happened: it is shown apart and never kept.
        if (event.kind !== "reply.progress") add([event]);
      },
      beforeConnect: () => catchUp(lastSeenId.current),
    });
    connection.current = conn;
    conn.start();
    const online = () => conn.retryNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      clearTimeout(settle);
      conn.stop();
    };
  }, []);

  return { events, progress, state, retryNow: () => connection.current?.retryNow() };
}
