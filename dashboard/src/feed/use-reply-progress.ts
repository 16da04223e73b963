/**
 * Replies being written, for a screen that shows nothing else of the live feed (the
 * playground): one live connection while the screen is open, no backlog (progress is never
 * stored), the list kept by reply-progress.ts.
 */
import { useEffect, useState } from "preact/hooks";
import { liveFeedProtocols, liveFeedUrl } from "../api/client";
import { currentSession, signOut } from "../auth/session";
import { parseFeedFrame } from "./event-store";
import { LiveConnection } from "./live-connection";
import { applyFrames, type ReplyInProgress } from "./reply-progress";

export function useReplyProgress(): ReplyInProgress[] {
  const [progress, setProgress] = useState<ReplyInProgress[]>([]);
  useEffect(() => {
    const conn = new LiveConnection({
      url: liveFeedUrl,
      protocols: () => liveFeedProtocols(currentSession()?.token ?? ""),
      onState: () => undefined,
      onRevoked: () => signOut("expired"),
      onFrame: (data) => {
        const event = parseFeedFrame(data);
        if (event) setProgress((cur) => applyFrames(cur, [event]));
      },
      beforeConnect: async () => undefined,
    });
    conn.start();
    return () => conn.stop();
  }, []);
  return progress;
}
