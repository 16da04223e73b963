/**
 * Mattermost over its WebSocket (wss://host/api/v4/websocket) with the bot's token: the bridge
 * checks the token (GET /users/me, which also names the bot), answers the socket's
 * authentication challenge, and after each `hello` catches up on posts it missed (catch-up.ts,
 * from the cursor on disk) before reporting itself connected. `posted` events and caught-up
 * posts go through the Worker's normalisation (websocket-post.ts); replies are posts made with
 * the Worker's REST client, in the mention's thread. A dead socket is noticed by ping/pong and
 * replaced with backoff.
 */
import WebSocket from "ws";
import { createPost, isBadRootId, type MattermostClient, mattermostCall, mattermostSendResult } from "../../../../src/channels/mattermost/api";
import { type MattermostWsConfig, mattermostWsConfigSchema } from "../../../../src/channels/mattermost/websocket";
import {
  type BotIdentity,
  type MattermostPost,
  type PostContext,
  normalizeMattermostPost,
  parsePostedEvent,
} from "../../../../src/channels/mattermost/websocket-post";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import { botChannels, MattermostApiError, missedPosts } from "./catch-up";
import { PostCursor } from "./post-cursor";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, RunningChannel } from "../shared/types";

const RECONNECT = { baseMs: 1000, maxMs: 60_000 };
/** A socket that has not answered a ping within this time is considered dead. */
const PING_INTERVAL_MS = 30_000;
/** Post ids remembered so a post seen live and again while catching up is forwarded once. */
const RECENT_POSTS = 1000;

export function websocketUrl(serverUrl: string): string {
  const url = new URL(serverUrl.replace(/\/+$/, "") + "/api/v4/websocket");
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

class MattermostWebSocketConnection implements RunningChannel {
  private readonly client: MattermostClient;
  private readonly cursor: PostCursor;
  private readonly recent = new Set<string>();
  private bot: BotIdentity | null = null;
  private socket: WebSocket | null = null;
  private connected = false;
  private stopped = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private ping: NodeJS.Timeout | null = null;
  private rateLimitedUntil = 0;
  /** While catching up, live posts are forwarded but the cursor waits: a crash then re-fetches both. */
  private catchingUp = false;
  private newestDuringCatchUp = 0;

  constructor(
    private readonly config: MattermostWsConfig,
    private readonly host: ChannelHost,
  ) {
    this.client = { serverUrl: config.serverUrl, botToken: config.botToken, fetch: globalThis.fetch };
    this.cursor = new PostCursor(host.dataDir);
    host.state("connecting");
    this.connect();
  }

  async send(reply: BridgeReply): Promise<DeliveryOutcome> {
    if (!this.connected) return { ok: false, retryable: true, error: "Mattermost WebSocket is not connected" };
    if (Date.now() < this.rateLimitedUntil) return { ok: false, retryable: true, error: "Mattermost rate limit: waiting for Retry-After" };
    const channelId = reply.conversationId ?? reply.recipient;
    const rootId = reply.replyContext?.rootId;
    try {
      let result = await mattermostSendResult(await createPost(this.client, channelId, reply.text, rootId));
      // The thread's root is gone (deleted meanwhile): answer in the channel rather than not at all.
      if (!result.ok && rootId && result.errorId && isBadRootId(result.errorId))
        result = await mattermostSendResult(await createPost(this.client, channelId, reply.text));
      if (result.ok) return { ok: true };
      if (result.retryAfterMs) this.rateLimitedUntil = Date.now() + result.retryAfterMs;
      return { ok: false, retryable: result.retryable, error: result.error };
    } catch (err) {
      return { ok: false, retryable: true, error: `Mattermost unreachable: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    this.socket?.close(1000, "bridge stopping");
    this.host.state("stopped");
  }

  private connect(): void {
    void (async () => {
      try {
        if (!this.bot) this.bot = await this.whoAmI();
        if (this.stopped) return;
        this.open();
      } catch (err) {
        if (err instanceof MattermostApiError && err.final)
          return this.fail(`Mattermost rejected the bot token (${err.message}): create a new token for the bot account and update botToken`);
        this.reconnectLater(`cannot reach Mattermost: ${err instanceof Error ? err.message : String(err)}`);
      }
    })();
  }

  private async whoAmI(): Promise<BotIdentity> {
    const res = await mattermostCall(this.client, "GET", "/users/me");
    if (res.status === 401) throw new MattermostApiError("GET /api/v4/users/me: 401", true);
    if (!res.ok) throw new MattermostApiError(`GET /api/v4/users/me: HTTP ${res.status}`, false);
    const me = (await res.json()) as { id?: string; username?: string; is_bot?: boolean };
    if (!me.id || !me.username) throw new MattermostApiError("GET /api/v4/users/me: no id or username", false);
    this.host.log.info("mattermost bot token accepted", { username: me.username, isBot: me.is_bot });
    return { id: me.id, username: me.username };
  }

  private open(): void {
    const socket = new WebSocket(websocketUrl(this.config.serverUrl));
    this.socket = socket;
    let alive = true;
    socket.on("open", () => {
      socket.send(JSON.stringify({ seq: 1, action: "authentication_challenge", data: { token: this.config.botToken } }));
      this.ping = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, PING_INTERVAL_MS);
    });
    socket.on("pong", () => (alive = true));
    socket.on("message", (data) => {
      alive = true;
      this.onFrame(String(data));
    });
    socket.on("error", (err) => this.host.log.warn("mattermost websocket error", { error: err.message }));
    socket.on("close", (code) => {
      if (this.socket !== socket) return;
      this.clearTimers();
      this.connected = false;
      this.catchingUp = false;
      if (!this.stopped) this.reconnectLater(`WebSocket closed (${code})`);
    });
  }

  private onFrame(raw: string): void {
    let frame: { event?: unknown; data?: unknown; seq_reply?: unknown; status?: unknown; error?: { id?: string; message?: string } };
    try {
      frame = JSON.parse(raw) as typeof frame;
    } catch {
      return this.host.log.warn("mattermost frame is not JSON");
    }
    if (frame.seq_reply === 1 && frame.status !== "OK") {
      return this.fail(`Mattermost refused the WebSocket authentication (${frame.error?.id ?? String(frame.status)}): check botToken`);
    }
    if (frame.event === "hello") void this.catchUp();
    else if (frame.event === "posted") {
      const parsed = parsePostedEvent(frame.data);
      if ("error" in parsed) this.host.log.warn("mattermost posted event not understood", { error: parsed.error });
      else this.handle(parsed.post, parsed.context);
    }
  }

  /** After `hello`: fetches what was posted while the socket was down, then reports connected. */
  private async catchUp(): Promise<void> {
    this.catchingUp = true;
    this.newestDuringCatchUp = 0;
    try {
      const since = this.cursor.at;
      if (since === null) {
        // First connection: what is already there is history, not messages to answer. Server
        // time where there is any (the bridge's clock may differ), else the bridge's.
        const newest = Math.max(0, ...(await botChannels(this.client)).map((c) => c.last_post_at));
        this.cursor.initialise(newest || Date.now());
      } else {
        const missed = await missedPosts(this.client, since);
        if (missed.length) this.host.log.info("mattermost catching up", { posts: missed.length });
        for (const { post, channelType } of missed) this.handle(post, { channelType });
      }
      if (!this.catchingUp) return; // the socket closed meanwhile; the next hello catches up again
      this.catchingUp = false;
      if (this.newestDuringCatchUp) this.cursor.advance(this.newestDuringCatchUp, true);
      this.connected = true;
      this.attempt = 0;
      this.host.state("connected");
    } catch (err) {
      if (err instanceof MattermostApiError && err.final) return this.fail(`Mattermost rejected the bot token (${err.message})`);
      this.host.log.warn("mattermost catch-up failed", { error: err instanceof Error ? err.message : String(err) });
      // Closing runs the reconnect, whose hello catches up again from the same cursor.
      this.socket?.terminate();
    }
  }

  private handle(post: MattermostPost, context: PostContext): void {
    if (!this.bot) return;
    let important = false;
    if (!this.recent.has(post.id)) {
      const outcome = normalizeMattermostPost(post, context, this.bot, { dmOnly: this.config.dmOnly });
      if (outcome.kind === "message") {
        this.host.receive(outcome.message);
        this.remember(post.id);
        important = true;
      }
    }
    if (this.catchingUp) this.newestDuringCatchUp = Math.max(this.newestDuringCatchUp, post.create_at);
    else this.cursor.advance(post.create_at, important);
  }

  private remember(postId: string): void {
    this.recent.add(postId);
    if (this.recent.size > RECENT_POSTS) this.recent.delete(this.recent.values().next().value as string);
  }

  private reconnectLater(reason: string): void {
    if (this.stopped) return;
    const delay = backoffDelayMs(this.attempt++, RECONNECT);
    this.host.state("connecting", `${reason}; reconnecting`);
    this.retry = setTimeout(() => this.connect(), delay);
  }

  private fail(reason: string): void {
    this.stopped = true;
    this.connected = false;
    this.clearTimers();
    this.socket?.terminate();
    this.host.state("failed", reason);
  }

  private clearTimers(): void {
    if (this.retry) clearTimeout(this.retry);
    if (this.ping) clearInterval(this.ping);
    this.retry = this.ping = null;
  }
}

export const mattermostWebSocketChannel: BridgeChannelType = {
  type: "mattermost-ws",
  start(channel, host) {
    const parsed = mattermostWsConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid mattermost-ws config: ${describeZodError(parsed.error)}`);
    return new MattermostWebSocketConnection(parsed.data, host);
  },
};
