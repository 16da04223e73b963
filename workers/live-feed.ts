/**
 * LiveFeed: fans pipeline events out to dashboard WebSockets. It uses the hibernation API,
 * so an idle feed with connected browsers costs nothing between events.
 * Every socket is tied to the bearer token that opened it (tagged with the token's hash, never
 * the token): revoking a token, logging out or changing the password closes its sockets at once,
 * no frame goes to a socket past its token's expiry, and an alarm re-checks every open socket's
 * token against D1 while any is connected, which catches whatever the immediate path missed.
 */
import { DurableObject } from "cloudflare:workers";
import { and, gt, inArray, isNull, or } from "drizzle-orm";
import { FEED_CLOSE_REVOKED, FEED_CREDENTIAL_HEADERS, LIVE_FEED_RECHECK_MS } from "../src/api/live-feed-access";
import { LIVE_FEED_PROTOCOL } from "../src/api/require-auth";
import { openDb } from "../src/db/client";
import { authTokens } from "../src/db/schema";
import type { FeedEvent } from "../src/db/feed-events";
import { liveFeed } from "../src/objects/addresses";
import { createLogger } from "../src/lib/log";

const log = createLogger("live-feed");

/** What a socket remembers across hibernation: which token opened it and until when it is valid. */
interface SocketCredential {
  tokenHash: string;
  expiresAt: number | null;
}

const tokenTag = (hash: string) => `token:${hash}`;

export class LiveFeed extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const tokenHash = request.headers.get(FEED_CREDENTIAL_HEADERS.tokenHash);
    const expiresRaw = request.headers.get(FEED_CREDENTIAL_HEADERS.expiresAt);
    // Only the API (after requireAuth) sets these; a socket that belongs to no token is refused.
    if (!tokenHash) return new Response("no credential", { status: 401 });
    const credential: SocketCredential = { tokenHash, expiresAt: expiresRaw ? Number(expiresRaw) : null };

    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [tokenTag(tokenHash)]);
    pair[1].serializeAttachment(credential);
    pair[1].send(JSON.stringify({ kind: "feed.hello", at: Date.now() }));
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + LIVE_FEED_RECHECK_MS);
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

  /** Sends events to every connected client whose token is still valid; a dead socket is dropped, never retried. */
  async publish(events: FeedEvent[]): Promise<number> {
    const now = Date.now();
    const sockets = this.ctx.getWebSockets().filter((ws) => this.stillValid(ws, now));
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

  /** Closes the sockets opened with these tokens (logout, a revoked token or session, log out everywhere, password change). */
  async closeTokens(tokenHashes: string[]): Promise<number> {
    let closed = 0;
    for (const hash of tokenHashes) for (const ws of this.ctx.getWebSockets(tokenTag(hash))) closed += this.closeRevoked(ws, "token revoked");
    return closed;
  }

  /** The periodic re-check: every open socket's token must still exist and be unexpired in D1. */
  override async alarm(): Promise<void> {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) return;
    const now = Date.now();
    const hashes = [...new Set(sockets.map((ws) => this.credentialOf(ws)?.tokenHash).filter((h): h is string => !!h))];
    const valid = new Set<string>();
    if (hashes.length > 0) {
      const rows = await openDb(this.env.DB)
        .select({ hash: authTokens.tokenHash })
        .from(authTokens)
        .where(and(inArray(authTokens.tokenHash, hashes), or(isNull(authTokens.expiresAt), gt(authTokens.expiresAt, now))));
      for (const r of rows) valid.add(r.hash);
    }
    for (const ws of sockets) {
      const hash = this.credentialOf(ws)?.tokenHash;
      if (!hash || !valid.has(hash)) this.closeRevoked(ws, "token revoked or expired");
    }
    if (this.ctx.getWebSockets().length > 0) await this.ctx.storage.setAlarm(Date.now() + LIVE_FEED_RECHECK_MS);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Clients only listen; answer pings so they can detect a dead connection.
    if (message === "ping" && this.stillValid(ws, Date.now())) ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // 1005 and 1006 (no code, abnormal) are reported but may not be sent back: answer a normal close.
    const reply = code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
    try {
      ws.close(reply, "closed");
    } catch {
      // already closed
    }
  }

  private credentialOf(ws: WebSocket): SocketCredential | null {
    return (ws.deserializeAttachment() as SocketCredential | null) ?? null;
  }

  /** False (and the socket closed) once the token that opened it has expired. */
  private stillValid(ws: WebSocket, now: number): boolean {
    const credential = this.credentialOf(ws);
    if (credential && (credential.expiresAt === null || credential.expiresAt > now)) return true;
    this.closeRevoked(ws, "token expired");
    return false;
  }

  private closeRevoked(ws: WebSocket, reason: string): number {
    try {
      ws.close(FEED_CLOSE_REVOKED, reason);
      return 1;
    } catch {
      return 0; // already closing
    }
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
