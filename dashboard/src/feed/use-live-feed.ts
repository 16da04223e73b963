/** The live feed as a hook: backlog from GET /api/events, then the WebSocket, merged without duplicates. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, body, liveFeedUrl } from "../api/client";
import type { FeedEvent } from "../api/types";
import { currentSession } from "../auth/session";
import { mergeEvents, parseFeedFrame } from "./event-store";
import { type ConnectionState, LiveConnection } from "./live-connection";

/** Rows fetched on every (re)connect: the newest ones, so a short outage leaves no gap. */
const BACKLOG_ROWS = 200;

export function useLiveFeed(): { events: FeedEvent[]; state: ConnectionState; retryNow: () => void } {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [state, setState] = useState<ConnectionState>({ kind: "connecting" });
  const connection = useRef<LiveConnection | null>(null);

  useEffect(() => {
    const conn = new LiveConnection({
      url: () => liveFeedUrl(currentSession()?.token ?? ""),
      onState: setState,
      onFrame: (data) => {
        const event = parseFeedFrame(data);
        if (event) setEvents((cur) => mergeEvents(cur, [event]));
      },
      beforeConnect: async () => {
        const backlog = await body(api.events.$get({ query: { limit: String(BACKLOG_ROWS) } }));
        setEvents((cur) => mergeEvents(cur, backlog.events));
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
