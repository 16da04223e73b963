/**
 * LiveFeed: fans pipeline events out to dashboard WebSockets. It uses the hibernation API,
 * so an idle feed with connected browsers costs nothing between events.
 */
import { DurableObject } from "cloudflare:workers";
import { LIVE_FEED_PROTOCOL } from "../src/api/require-auth";
import type { FeedEvent } from "../src/db/feed-events";
import { liveFeed } from "../src/objects/addresses";
import { createLogger } from "../src/lib/log";

const log = createLogger("live-feed");

export class LiveFeed extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].send(JSON.stringify({ kind: "feed.hello", at: Date.now() }));
    // A browser that offered subprotocols (the token rides in one) needs one chosen back;
    // answer the plain name, never the entry that carries the token.
    const offered =
      request.headers
        .get("sec-websocket-protocol")
        ?.split(",")
        .map((p) => p.trim()) ?? [];
    const headers = offered.includes(LIVE_FEED_PROTOCOL) ? { "sec-websocket-protocol": LIVE_FEED_PROTOCOL } : undefined;
    return new Response(null, { status: 101, webSocket: pair[0], headers });
  }

  /** Sends events to every connected client; a dead socket is dropped, never retried. */
  async publish(events: FeedEvent[]): Promise<number> {
    const sockets = this.ctx.getWebSockets();
    for (const event of events) {
      const frame = JSON.stringify(event);
      for (const ws of sockets) {
        try {
          ws.send(frame);
        } catch {
          ws.close(1011, "send failed");
        }
      }
    }
    return sockets.length;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Clients only listen; answer pings so they can detect a dead connection.
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closed");
  }
}

/** Publishes to the feed; the feed is best effort (D1 holds the record), so failures are only logged. */
export async function publishEvents(env: Env, events: FeedEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await liveFeed(env).publish(events);
  } catch (err) {
    log.warn("live feed publish failed", { error: String(err) });
  }
}
