/** The live feed as a hook: backlog from GET /api/events, then the WebSocket, merged without duplicates. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, body, liveFeedProtocols, liveFeedUrl } from "../api/client";
import type { FeedEvent } from "../api/types";
import { currentSession, signOut } from "../auth/session";
import { fetchMissedEvents, newerId } from "./catch-up";
import { MAX_FEED_ROWS, mergeEvents, parseFeedFrame } from "./event-store";
import { type ConnectionState, LiveConnection } from "./live-connection";

/** Rows per backlog request: the first connection shows one page; a reconnection pages until caught up. */
const BACKLOG_PAGE_ROWS = 200;

export function useLiveFeed(): { events: FeedEvent[]; state: ConnectionState; retryNow: () => void } {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [state, setState] = useState<ConnectionState>({ kind: "connecting" });
  const connection = useRef<LiveConnection | null>(null);
  /** The newest event id received by either way: where a reconnection catches up from. */
  const lastSeenId = useRef<string | undefined>(undefined);

  useEffect(() => {
    const add = (incoming: FeedEvent[]) => {
      for (const e of incoming) lastSeenId.current = newerId(lastSeenId.current, e.id);
      setEvents((cur) => mergeEvents(cur, incoming));
    };
    const conn = new LiveConnection({
      url: liveFeedUrl,
      protocols: () => liveFeedProtocols(currentSession()?.token ?? ""),
      onState: setState,
      onRevoked: () => signOut("expired"),
      onFrame: (data) => {
        const event = parseFeedFrame(data);
        if (event) add([event]);
      },
      beforeConnect: async () => {
        const missed = await fetchMissedEvents(
          async (query) => (await body(api.events.$get({ query: { limit: String(query.limit), after: query.after, before: query.before } }))).events,
          lastSeenId.current,
          { pageSize: BACKLOG_PAGE_ROWS, maxRows: MAX_FEED_ROWS },
        );
        add(missed.events);
      },
    });
    connection.current = conn;
    conn.start();
    const online = () => conn.retryNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      conn.stop();
    };
  }, []);

  return { events, state, retryNow: () => connection.current?.retryNow() };
}
