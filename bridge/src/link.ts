/**
 * The bridge's end of the link: one outbound WebSocket to the Worker's BridgeHub, so the
 * bridge works behind NAT. It sends heartbeats, treats a missing pong as a dead link,
 * and reconnects with exponential backoff and jitter until it is stopped or its token revoked.
 */
import {
  CLOSE_REVOKED,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  hubFrame,
  MISSED_HEARTBEATS_BEFORE_DOWN,
  type BridgeFrame,
  type HubFrame,
} from "../../src/protocol/bridge";
import { backoffDelayMs } from "./backoff";
import type { Logger } from "../../src/lib/log";

export interface LinkOptions {
  /** The gateway's base URL (http or https). */
  url: string;
  token: string;
  heartbeatMs: number;
  version: string;
  log: Logger;
  onFrame: (frame: HubFrame) => void;
  onOpen: () => void;
  onClose: () => void;
  /** Reconnect backoff; defaults suit a VPS (0.5 s doubling to 30 s). */
  backoff?: { baseMs: number; maxMs: number };
}

export class Link {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private lastPongAt = 0;

  constructor(private readonly options: LinkOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.ws?.close(1000, "bridge stopping");
  }

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** False when the link is down; the caller keeps the frame (outbox) and sends it on reconnect. */
  send(frame: BridgeFrame): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private connect(): void {
    const { url, token, log } = this.options;
    const wsUrl = `${url.replace(/^http/, "ws").replace(/\/$/, "")}/bridge/connect`;
    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } } as unknown as string[]);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.lastPongAt = Date.now();
      log.info("link up", { url: wsUrl });
      ws.send(JSON.stringify({ t: "hello", version: this.options.version, heartbeatMs: this.options.heartbeatMs } satisfies BridgeFrame));
      this.startHeartbeat(ws, closed);
      this.options.onOpen();
    };
    ws.onmessage = (event) => {
      // Any frame proves the link alive, not only a pong.
      this.lastPongAt = Date.now();
      if (event.data === HEARTBEAT_PONG) return;
      const parsed = hubFrame.safeParse(JSON.parse(String(event.data)));
      if (parsed.success) this.options.onFrame(parsed.data as HubFrame);
      else log.warn("unknown frame from the gateway", { error: parsed.error.issues[0]?.message });
    };
    const closed = (code: number, reason: string) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopHeartbeat();
      if (opened) this.options.onClose();
      if (this.stopped) return;
      if (code === CLOSE_REVOKED) {
        log.error("the gateway revoked this bridge's token; mint a new one with POST /api/bridges", {});
        return;
      }
      const delay = backoffDelayMs(this.attempt++, this.options.backoff ?? { baseMs: 500, maxMs: 30_000 });
      log.warn("link down, reconnecting", { code, reason, inMs: delay });
      if (!opened) void this.explainRefusal();
      this.retry = setTimeout(() => this.connect(), delay);
    };
    ws.onclose = (event) => closed(event.code, event.reason);
    ws.onerror = () => {
      // onclose follows and decides what to do.
    };
  }

  private startHeartbeat(ws: WebSocket, closed: (code: number, reason: string) => void): void {
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastPongAt > this.options.heartbeatMs * MISSED_HEARTBEATS_BEFORE_DOWN) {
        this.options.log.warn("no heartbeat from the gateway, dropping the link", {});
        ws.close(4003, "heartbeat timeout");
        // A half-open TCP connection may never deliver the close; give up on it now.
        closed(4003, "heartbeat timeout");
        return;
      }
      ws.send(HEARTBEAT_PING);
    }, this.options.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /** A refused upgrade carries no status in the WebSocket API; ask plainly so the log says why. */
  private async explainRefusal(): Promise<void> {
    try {
      const res = await fetch(`${this.options.url.replace(/\/$/, "")}/bridge/connect`, { headers: { authorization: `Bearer ${this.options.token}` } });
      if (res.status === 401)
        this.options.log.error("the gateway refused the bridge token", { status: res.status, error: ((await res.json()) as { error?: string }).error });
    } catch {
      // Unreachable: the reconnect log line already says so.
    }
  }
}
