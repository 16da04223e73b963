/**
 * One WebSocket to the LiveFeed object that comes back by itself: reconnects with exponential
 * backoff (1 s doubling to 30 s, with jitter) after a drop, and pings so a silently dead
 * connection (laptop sleep, proxy timeout) is noticed within seconds rather than never.
 */
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 8000;
/** The feed closes a socket with this code when its token was revoked or expired (src/api/live-feed-access.ts). */
export const FEED_CLOSE_REVOKED = 4001;

export type ConnectionState = { kind: "connecting" } | { kind: "live" } | { kind: "waiting"; retryAt: number; attempt: number };

export interface LiveConnectionOptions {
  /** Built per attempt, so a renewed token is picked up. */
  url: () => string;
  /** WebSocket subprotocols, evaluated at each connect (they carry the current token). */
  protocols: () => string[];
  onFrame: (data: unknown) => void;
  onState: (state: ConnectionState) => void;
  /** Called before each (re)connection, to fetch what was missed; may throw to end the connection (e.g. logged out). */
  beforeConnect: () => Promise<void>;
  /** The gateway closed the feed because the token is gone: no retry, the session is over. */
  onRevoked: () => void;
}

export function backoffMs(attempt: number, random = Math.random()): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  return Math.round(base * (0.7 + 0.3 * random));
}

export class LiveConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: LiveConnectionOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.clearHeartbeat();
    this.ws?.close(1000, "closed by the dashboard");
    this.ws = null;
  }

  /** Reconnect now instead of waiting out the backoff (the browser came back online). */
  retryNow(): void {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    void this.connect();
  }

  private async connect(): Promise<void> {
    this.options.onState({ kind: "connecting" });
    try {
      await this.options.beforeConnect();
    } catch {
      if (!this.stopped) this.scheduleRetry();
      return;
    }
    if (this.stopped) return;
    const ws = new WebSocket(this.options.url(), this.options.protocols());
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.options.onState({ kind: "live" });
      this.startHeartbeat(ws);
    };
    ws.onmessage = (e: MessageEvent) => {
      clearTimeout(this.pongTimer);
      this.options.onFrame(e.data);
    };
    ws.onclose = (e: CloseEvent) => {
      if (e.code === FEED_CLOSE_REVOKED && this.ws === ws) {
        this.stop();
        this.options.onRevoked();
        return;
      }
      this.dropped(ws);
    };
  }

  private dropped(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = null;
    this.clearHeartbeat();
    if (!this.stopped) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const delay = backoffMs(this.attempt);
    this.attempt++;
    this.options.onState({ kind: "waiting", retryAt: Date.now() + delay, attempt: this.attempt });
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private startHeartbeat(ws: WebSocket): void {
    this.pingTimer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send("ping");
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => {
        // A dead link may never finish the close handshake, so do not wait for onclose.
        this.dropped(ws);
        ws.close(4000, "no pong");
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  private clearHeartbeat(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }
}
