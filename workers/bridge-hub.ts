/**
 * BridgeHub: one object per bridge (`idFromName(bridgeId)`). It holds the bridge's WebSocket
 * (hibernation API: heartbeats are answered without waking it), hands inbound messages to the
 * senders' objects (the normal pipeline: dedupe, pairing, limits) and acknowledges them, and
 * queues replies for the bridge's channels in its own SQLite until the bridge acknowledges
 * them. An alarm watches the heartbeats, pushes channel config changes, and marks the bridge
 * and its channels down when the bridge goes quiet.
 */
import { DurableObject } from "cloudflare:workers";
import type { ContainerTurnFrame } from "../src/protocol/container";
import { senderSession } from "../src/objects/addresses";
import { bridgeDownNotice, bridgeUpNotice, notifyBridgeAdmin } from "./bridge-notify";
import {
  bridgeFrame,
  CLOSE_KICKED,
  CLOSE_REPLACED,
  CLOSE_REVOKED,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  MISSED_HEARTBEATS_BEFORE_DOWN,
  type BridgeFrame,
  type BridgeProgress,
  type BridgeReply,
  type HubFrame,
} from "../src/protocol/bridge";
import { channelsForBridge, findBridge, markBridgeDown, markBridgeUp, setBridgedChannelState } from "../src/channels/shared/bridged-store";
import type { BridgeQueue, OutboundFile, SendResult } from "../src/channels/shared/types";
import { keyringFor } from "../src/crypto/keyring";
import { openDb } from "../src/db/client";
import { eventStatement, feedEvent, type FeedEvent } from "../src/db/feed-events";
import { markAccepted, turnFrame, markDone, migrateTurns, pruneTurns, queueTurn, turnSender, unacceptedTurns } from "./bridge-hub-turns";
import { outgoingTurn } from "../src/protocol/container-server-tools";
import { dropAllReplyFiles, dropReplyFile, migrateReplyFiles, pruneReplyFiles, readReplyFile, storeReplyFile, type ReplyFileLookup } from "./bridge-hub-files";
import { migrateWorkspaceRemovals, pendingWorkspaceRemovals, queueWorkspaceRemoval, workspaceRemoved } from "./bridge-hub-workspaces";
import { publishEvents } from "./live-feed";
import { bridgeHub } from "../src/objects/addresses";
import { LEDGER_RETENTION_MS } from "../src/objects/ledger-retention";
import { createLogger } from "../src/lib/log";

const log = createLogger("bridge-hub");

/** Until the bridge says otherwise in its hello. */
const DEFAULT_HEARTBEAT_MS = 15_000;
/** Acknowledged reply ids are kept this long, so a reply queued twice is not sent twice. */

export interface BridgeLiveStatus {
  /** A bridge socket is open right now. */
  connected: boolean;
  /** Replies waiting for the bridge's acknowledgement. */
  queuedReplies: number;
  /** Last sign of life (a frame or a heartbeat), ms. */
  lastSeenAt: number | null;
  heartbeatMs: number;
}

export class BridgeHub extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS replies (id TEXT PRIMARY KEY, frame TEXT NOT NULL, created_at INTEGER NOT NULL, acked_at INTEGER)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS replies_pending ON replies(acked_at, created_at)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    migrateTurns(this.sql);
    migrateWorkspaceRemovals(this.sql);
    migrateReplyFiles(this.sql);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** The bridge's WebSocket upgrade; the route has already checked its token and names the bridge. */
  override async fetch(request: Request): Promise<Response> {
    const bridgeId = request.headers.get("x-loopgate-bridge-id");
    const name = request.headers.get("x-loopgate-bridge-name") ?? "";
    if (!bridgeId || request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("expected a bridge WebSocket upgrade", { status: 426 });
    for (const old of this.ctx.getWebSockets()) safeClose(old, CLOSE_REPLACED, "replaced by a newer connection");
    this.kvSet("bridgeId", bridgeId);
    this.kvDelete("revoked");
    const pair = new WebSocketPair();
    const ws = pair[1];
    this.ctx.acceptWebSocket(ws);
    const now = Date.now();
    this.kvSet("lastSeenAt", now);
    const db = openDb(this.env.DB);
    const previous = this.kvGet<string>("status");
    await markBridgeUp(db, bridgeId, now);
    this.kvSet("status", "up");
    if (previous !== "up") await this.record(feedEvent("bridge.up", undefined, undefined, { bridgeId, name }, now));
    if (previous === "down") {
      const downAt = this.kvGet<number>("downAt");
      const bridge = await findBridge(db, bridgeId);
      if (bridge) await notifyBridgeAdmin(this.env, bridge, bridgeUpNotice(bridge.name, downAt ? now - downAt : null));
    }
    this.send(ws, { t: "welcome", bridgeId, name });
    await this.pushChannels(ws, true);
    for (const row of this.sql.exec<{ frame: string }>("SELECT frame FROM replies WHERE acked_at IS NULL ORDER BY created_at, id")) this.sendRaw(ws, row.frame);
    const box = await keyringFor(this.env);
    for (const frame of unacceptedTurns(this.sql)) this.sendRaw(ws, await outgoingTurn(frame, box));
    for (const frame of pendingWorkspaceRemovals(this.sql)) this.send(ws, frame);
    await this.ctx.storage.setAlarm(now + this.heartbeatMs());
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /**
   * Queues a reply for the bridge; sent at once when it is connected, else on its next connection.
   * A reply with a file keeps the bytes beside it (bridge-hub-files.ts) for the bridge to fetch.
   */
  async enqueue(bridgeId: string, reply: BridgeReply, file?: OutboundFile): Promise<SendResult> {
    if (this.kvGet<boolean>("revoked")) return { ok: false, retryable: false, error: `bridge ${bridgeId} was revoked` };
    if (!this.kvGet<string>("bridgeId")) {
      if (!(await findBridge(openDb(this.env.DB), bridgeId)))
        return { ok: false, retryable: false, error: `no bridge ${bridgeId}; create one with POST /api/bridges` };
      this.kvSet("bridgeId", bridgeId);
    }
    const frame = JSON.stringify({ t: "reply", ...reply } satisfies HubFrame);
    const now = Date.now();
    const inserted = this.ctx.storage.transactionSync(() => {
      const added = this.sql.exec("INSERT OR IGNORE INTO replies (id, frame, created_at) VALUES (?, ?, ?)", reply.id, frame, now).rowsWritten > 0;
      if (added && file && reply.file) storeReplyFile(this.sql, reply.id, reply.channelId, file, now);
      return added;
    });
    if (inserted) for (const ws of this.ctx.getWebSockets()) this.sendRaw(ws, frame);
    return { ok: true };
  }

  /**
   * A running turn's reply so far (docs/streaming.md): sent to the bridge if it is connected and
   * serves the channel, else dropped. Never stored: the finished reply is the one that must arrive.
   */
  async progress(progress: BridgeProgress): Promise<boolean> {
    if (this.kvGet<boolean>("revoked") || !(this.kvGet<string[]>("channelIds") ?? []).includes(progress.channelId)) return false;
    const sockets = this.ctx.getWebSockets();
    const frame: HubFrame = { t: "reply.progress", ...progress };
    for (const ws of sockets) this.send(ws, frame);
    return sockets.length > 0;
  }

  /**
   * A queued reply's file, for `GET /bridge/files/<id>` (the route has checked the bridge's token
   * and checks that the channel is still served by this bridge). Only while the reply waits.
   */
  async replyFile(id: string): Promise<ReplyFileLookup> {
    if (this.kvGet<boolean>("revoked")) return { ok: false, status: 404, error: "this bridge was revoked" };
    const found = readReplyFile(this.sql, id, Date.now());
    if (found.ok || found.status === 410) return found;
    // Pruned after expiring while its reply still waits: say so, rather than "no such file".
    const waiting = this.sql.exec<{ frame: string }>("SELECT frame FROM replies WHERE id = ? AND acked_at IS NULL", id).toArray()[0];
    if (waiting && (JSON.parse(waiting.frame) as BridgeReply).file) return { ok: false, status: 410, error: "this file expired before the bridge fetched it" };
    return found;
  }

  /** Queues a container turn for the bridge (docs/containers.md); sent at once when it is connected. */
  async runTurn(bridgeId: string, turn: ContainerTurnFrame): Promise<{ ok: true } | { ok: false; error: string }> {
    if (this.kvGet<boolean>("revoked")) return { ok: false, error: `bridge ${bridgeId} was revoked` };
    if (!this.kvGet<string>("bridgeId")) {
      if (!(await findBridge(openDb(this.env.DB), bridgeId))) return { ok: false, error: `no bridge ${bridgeId}; create one with POST /api/bridges` };
      this.kvSet("bridgeId", bridgeId);
    }
    const frame = queueTurn(this.sql, turn, Date.now());
    if (frame) {
      const outgoing = await outgoingTurn(frame, await keyringFor(this.env));
      for (const ws of this.ctx.getWebSockets()) this.sendRaw(ws, outgoing);
    }
    return { ok: true };
  }

  /** A deleted sender's workspace: queued until the bridge reports the volume gone (bridge-hub-workspaces.ts). */
  async removeWorkspace(channelId: string, senderId: string): Promise<{ ok: true; id: string } | { ok: false; error: string }> {
    if (this.kvGet<boolean>("revoked")) return { ok: false, error: "the bridge was revoked" };
    const frame = queueWorkspaceRemoval(this.sql, channelId, senderId, Date.now());
    for (const ws of this.ctx.getWebSockets()) this.send(ws, frame);
    return { ok: true, id: frame.id };
  }

  /** The sender's object stopped waiting: the bridge drops or kills the run. */
  async cancelTurn(id: string): Promise<void> {
    markDone(this.sql, id, Date.now());
    for (const ws of this.ctx.getWebSockets()) this.send(ws, { t: "turn.cancel", id });
  }

  async status(): Promise<BridgeLiveStatus> {
    const queued = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM replies WHERE acked_at IS NULL").one().n;
    return { connected: this.ctx.getWebSockets().length > 0, queuedReplies: queued, lastSeenAt: this.lastSeen(), heartbeatMs: this.heartbeatMs() };
  }

  /** Closes the bridge's connection (it reconnects); false when it was not connected. */
  async disconnect(): Promise<boolean> {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) safeClose(ws, CLOSE_KICKED, "disconnected by an admin");
    return sockets.length > 0;
  }

  /** The bridge's token was revoked: close it for good and drop its queue. */
  async revoke(): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) safeClose(ws, CLOSE_REVOKED, "bridge token revoked");
    this.sql.exec("DELETE FROM replies");
    dropAllReplyFiles(this.sql);
    this.kvSet("revoked", true);
    await this.ctx.storage.deleteAlarm();
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.kvSet("lastSeenAt", Date.now());
    let frame: BridgeFrame;
    try {
      const parsed = bridgeFrame.safeParse(JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message)));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? "invalid frame");
      frame = parsed.data;
    } catch (err) {
      log.warn("bridge frame rejected", { bridgeId: this.kvGet<string>("bridgeId"), error: String(err) });
      return;
    }
    switch (frame.t) {
      case "hello":
        this.kvSet("heartbeatMs", frame.heartbeatMs);
        await this.ctx.storage.setAlarm(Date.now() + frame.heartbeatMs);
        return;
      case "inbound":
        return this.inbound(ws, frame);
      case "reply.ack":
        return this.replyAcked(frame);
      case "state":
        return this.channelState(frame);
      case "turn.accepted":
        return markAccepted(this.sql, frame.id, Date.now());
      case "turn.event":
        return this.turnEvent(frame);
      case "turn.result":
        return this.turnResult(ws, frame);
      case "workspace.removed":
        return workspaceRemoved(this.sql, frame.id);
      case "turn.tool":
        return this.turnTool(ws, frame);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    safeClose(ws, code === 1005 || code === 1006 ? 1000 : code, "closed");
    // Not down yet: a restarting bridge is back within a heartbeat or two. The alarm decides.
    if (!this.kvGet<boolean>("revoked")) await this.ctx.storage.setAlarm(Date.now() + this.heartbeatMs());
  }

  override async alarm(): Promise<void> {
    const bridgeId = this.kvGet<string>("bridgeId");
    if (!bridgeId || this.kvGet<boolean>("revoked")) return;
    const now = Date.now();
    this.sql.exec("DELETE FROM replies WHERE acked_at IS NOT NULL AND acked_at < ?", now - LEDGER_RETENTION_MS);
    pruneTurns(this.sql, now);
    pruneReplyFiles(this.sql, now);
    const lastSeen = this.lastSeen() ?? 0;
    const timeoutMs = this.heartbeatMs() * MISSED_HEARTBEATS_BEFORE_DOWN;
    const sockets = this.ctx.getWebSockets();
    if (now - lastSeen > timeoutMs) {
      for (const ws of sockets) safeClose(ws, 1001, "heartbeat timeout");
      if (this.kvGet<string>("status") === "up") {
        const reason = `bridge offline: no heartbeat for ${Math.round((now - lastSeen) / 1000)}s`;
        const db = openDb(this.env.DB);
        await markBridgeDown(db, bridgeId, reason, lastSeen || null);
        this.kvSet("status", "down");
        this.kvSet("downAt", now);
        await this.record(feedEvent("bridge.down", undefined, undefined, { bridgeId, reason, lastSeenAt: lastSeen }, now));
        const bridge = await findBridge(db, bridgeId);
        if (bridge) await notifyBridgeAdmin(this.env, bridge, bridgeDownNotice(bridge.name, reason));
      }
      return;
    }
    for (const ws of sockets) await this.pushChannels(ws, false);
    await this.ctx.storage.setAlarm(sockets.length ? now + this.heartbeatMs() : lastSeen + timeoutMs + 1);
  }

  /** Stage 2 for bridged channels: persisted by the sender's object, then acknowledged to the bridge. */
  private async inbound(ws: WebSocket, frame: Extract<BridgeFrame, { t: "inbound" }>): Promise<void> {
    const served = this.kvGet<string[]>("channelIds") ?? [];
    if (!served.includes(frame.channelId)) {
      this.send(ws, { t: "inbound.ack", id: frame.id, duplicate: false, rejected: `channel ${frame.channelId} is not served by this bridge` });
      return;
    }
    const result = await senderSession(this.env, frame.channelId, frame.message.senderId).receive(frame.channelId, {
      ...frame.message,
      receivedAt: Date.now(),
    });
    this.send(ws, { t: "inbound.ack", id: frame.id, duplicate: result.duplicate });
  }

  private async replyAcked(frame: Extract<BridgeFrame, { t: "reply.ack" }>): Promise<void> {
    const row = this.sql.exec<{ frame: string }>("SELECT frame FROM replies WHERE id = ? AND acked_at IS NULL", frame.id).toArray()[0];
    if (!row) return;
    this.sql.exec("UPDATE replies SET acked_at = ? WHERE id = ?", Date.now(), frame.id);
    dropReplyFile(this.sql, frame.id);
    const reply = JSON.parse(row.frame) as BridgeReply;
    const detail = { bridgeId: this.kvGet<string>("bridgeId"), deliveryId: frame.id, ...(frame.error ? { error: frame.error } : {}) };
    const event = feedEvent(frame.ok ? "bridge.reply.sent" : "bridge.reply.failed", reply.channelId, reply.recipient, detail);
    if (frame.ok) await publishEvents(this.env, [event]);
    else await this.record(event);
  }

  /** Queued, started, tool call: live feed only (the outcome is recorded with the sender's message). */
  private async turnEvent(frame: Extract<BridgeFrame, { t: "turn.event" }>): Promise<void> {
    const sender = turnSender(this.sql, frame.id);
    if (!sender) return;
    await publishEvents(this.env, [
      feedEvent(frame.kind, sender.channelId, sender.senderId, { runId: frame.id, bridgeId: this.kvGet<string>("bridgeId"), ...frame.detail }),
    ]);
  }

  /** Acknowledged only once the sender's object has stored it; otherwise the bridge sends it again. */
  private async turnResult(ws: WebSocket, frame: Extract<BridgeFrame, { t: "turn.result" }>): Promise<void> {
    const sender = turnSender(this.sql, frame.id);
    if (sender) await senderSession(this.env, sender.channelId, sender.senderId).containerResult(frame.id, frame.result);
    markDone(this.sql, frame.id, Date.now());
    this.send(ws, { t: "turn.result.ack", id: frame.id });
  }

  /**
   * A gateway tool the container's model asked for. Only a tool the gateway itself offered this
   * turn (its frame's `gatewayTools`) is run, by the sender's object; whatever else a container
   * names is refused here, so a compromised runner cannot reach more than the turn was given.
   */
  private async turnTool(ws: WebSocket, frame: Extract<BridgeFrame, { t: "turn.tool" }>): Promise<void> {
    const answer = (content: string, isError?: boolean) =>
      this.send(ws, { t: "turn.tool.result", id: frame.id, callId: frame.callId, content, ...(isError ? { isError } : {}) });
    const turn = turnFrame(this.sql, frame.id);
    if (!turn || !(turn.spec.gatewayTools ?? []).includes(frame.name)) return answer(`tool ${frame.name} is not available in this run`, true);
    try {
      const outcome = await senderSession(this.env, turn.channelId, turn.senderId).containerTool(frame.id, frame.name, frame.input);
      answer(outcome.content, outcome.isError);
    } catch (err) {
      answer(`the gateway could not run ${frame.name}: ${String(err)}`, true);
    }
  }

  private async channelState(frame: Extract<BridgeFrame, { t: "state" }>): Promise<void> {
    const bridgeId = this.kvGet<string>("bridgeId");
    if (!bridgeId) return;
    const error = frame.state === "failed" || frame.state === "needs_login" ? (frame.reason ?? frame.state) : null;
    // The detail (e.g. a login QR string) is kept on the channel row for the dashboard, and goes to the live feed.
    await setBridgedChannelState(openDb(this.env.DB), bridgeId, frame.channelId, frame.state, error, frame.detail ?? null);
    const event = feedEvent("channel.state", frame.channelId, undefined, { bridgeId, state: frame.state, reason: frame.reason });
    const db = openDb(this.env.DB);
    await db.batch([eventStatement(db, event)]);
    await publishEvents(this.env, [frame.detail ? { ...event, detail: { ...event.detail, loginDetail: frame.detail } } : event]);
  }

  /** Sends the served channels (configs opened) when they changed since the last push, or always. */
  private async pushChannels(ws: WebSocket, always: boolean): Promise<void> {
    const bridgeId = this.kvGet<string>("bridgeId");
    if (!bridgeId) return;
    const served = await channelsForBridge(openDb(this.env.DB), bridgeId, this.env);
    if (!always && served.fingerprint === this.kvGet<string>("fingerprint")) return;
    this.kvSet("fingerprint", served.fingerprint);
    this.kvSet(
      "channelIds",
      served.channels.map((c) => c.id),
    );
    this.send(ws, { t: "channels", channels: served.channels });
  }

  /** Audit row in D1 plus the live feed. */
  private async record(event: FeedEvent): Promise<void> {
    const db = openDb(this.env.DB);
    await db.batch([eventStatement(db, event)]);
    await publishEvents(this.env, [event]);
  }

  private lastSeen(): number | null {
    const stored = this.kvGet<number>("lastSeenAt") ?? 0;
    const heartbeat = this.ctx.getWebSockets().reduce((latest, ws) => Math.max(latest, this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0), 0);
    return Math.max(stored, heartbeat) || null;
  }

  private heartbeatMs(): number {
    return this.kvGet<number>("heartbeatMs") ?? DEFAULT_HEARTBEAT_MS;
  }

  private send(ws: WebSocket, frame: HubFrame): void {
    this.sendRaw(ws, JSON.stringify(frame));
  }

  /** A socket the bridge dropped can linger in getWebSockets() until its close event runs; sending to it throws. */
  private sendRaw(ws: WebSocket, frame: string): void {
    try {
      ws.send(frame);
    } catch {
      // The socket is closing; everything unacknowledged is re-sent on the next connection.
    }
  }

  private kvGet<T>(key: string): T | undefined {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  private kvSet(key: string, value: unknown): void {
    this.sql.exec("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, JSON.stringify(value));
  }

  private kvDelete(key: string): void {
    this.sql.exec("DELETE FROM kv WHERE key = ?", key);
  }
}

/** Closing a socket that is already closed throws; either way it ends up closed. */
function safeClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

/** The reply queue bridged channel adapters send into (see ChannelContext.bridges). */
export function bridgeQueue(env: Env): BridgeQueue {
  return {
    enqueue: (bridgeId, reply, file) => bridgeHub(env, bridgeId).enqueue(bridgeId, reply, file),
    progress: (bridgeId, progress) => bridgeHub(env, bridgeId).progress(progress),
  };
}
