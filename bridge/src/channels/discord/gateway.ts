/**
 * Discord on the gateway with @discordjs/ws: the bridge identifies with the intents it needs
 * (DMs; server messages and their content unless dmOnly), heartbeats, and resumes after a
 * disconnect; the session is kept on disk (session-store.ts) so a restarted bridge resumes too
 * and Discord replays what it missed. MESSAGE_CREATE dispatches go through the Worker's
 * normalisation (src/channels/discord/gateway-message.ts); replies are posted with the Worker's
 * REST client, as an embed when structured (reply-body.ts), quoting the message in servers.
 */
import { REST } from "@discordjs/rest";
import { WebSocketManager, WebSocketShardEvents } from "@discordjs/ws";
import { GatewayDispatchEvents, GatewayIntentBits, type GatewayDispatchPayload } from "discord-api-types/v10";
import { DISCORD_API_BASE, type DiscordClient, discordCall, discordSendResult, sendDirectMessage } from "../../../../src/channels/discord/api";
import { type DiscordGatewayConfig, discordGatewayConfigSchema } from "../../../../src/channels/discord/gateway";
import { normalizeGatewayMessage } from "../../../../src/channels/discord/gateway-message";
import { discordReplyBody } from "../../../../src/channels/discord/reply-body";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import { GatewaySessionStore } from "./session-store";
import { discordTyping } from "./typing";
import type { TypingIndicator } from "../shared/typing";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { SendResult } from "../../../../src/channels/shared/types";
import { sendDiscordChannelFile, sendDiscordFile } from "../../../../src/channels/discord/send-file";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, ReplyFileBytes, RunningChannel } from "../shared/types";

const START_RETRY = { baseMs: 1000, maxMs: 60_000 };
/** Close code that keeps the session resumable (any code but 1000/1001), for a bridge that stops to restart. */
const CLOSE_RESUMABLE = 4200;

/** Errors @discordjs/ws emits for close codes that no retry can fix, and what the admin must do. */
const FATAL_GATEWAY_ERRORS: Record<string, string> = {
  "Authentication failed": "Discord rejected the bot token (close code 4004): copy it again from the Bot page",
  "Used disallowed intents":
    "Discord refused the Message Content intent (close code 4014): enable MESSAGE CONTENT INTENT under Bot → Privileged Gateway Intents in the developer portal, or set dmOnly",
  "Used invalid intents": "Discord refused the intents (close code 4013)",
};

export function gatewayIntents(config: Pick<DiscordGatewayConfig, "dmOnly">): number {
  const dm = GatewayIntentBits.DirectMessages;
  return config.dmOnly ? dm : dm | GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent;
}

/** "https://discord.com/api/v10" → @discordjs/rest's `api` and `version`. */
function restOptions(apiBase: string): { api: string; version: string } {
  const m = /^(.*)\/v(\d+)\/?$/.exec(apiBase);
  return m ? { api: m[1] ?? apiBase, version: m[2] ?? "10" } : { api: apiBase.replace(/\/$/, ""), version: "10" };
}

class DiscordGatewayConnection implements RunningChannel {
  private readonly manager: WebSocketManager;
  private readonly sessions: GatewaySessionStore;
  private readonly client: DiscordClient;
  private readonly typing: TypingIndicator;
  private botId: string | null = null;
  private connected = false;
  private stopped = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private rateLimitedUntil = 0;

  constructor(
    private readonly config: DiscordGatewayConfig,
    private readonly host: ChannelHost,
  ) {
    const apiBase = config.apiBase ?? DISCORD_API_BASE;
    this.client = { apiBase, botToken: config.botToken, fetch: globalThis.fetch };
    this.typing = discordTyping(this.client);
    this.sessions = new GatewaySessionStore(host.dataDir);
    this.manager = new WebSocketManager({
      token: config.botToken,
      intents: gatewayIntents(config),
      rest: new REST(restOptions(apiBase)).setToken(config.botToken),
      shardCount: 1,
      retrieveSessionInfo: () => this.sessions.retrieve(),
      updateSessionInfo: (_shard, info) => this.sessions.update(info),
    });
    this.manager.on(WebSocketShardEvents.Ready, (data) => {
      this.botId = data.user.id;
      host.log.info("discord gateway ready", { user: data.user.username, guilds: data.guilds.length });
      this.setConnected(true);
    });
    this.manager.on(WebSocketShardEvents.Resumed, () => {
      host.log.info("discord gateway resumed");
      this.setConnected(true);
    });
    this.manager.on(WebSocketShardEvents.Closed, (code) => this.setConnected(false, `gateway connection closed (${code}); reconnecting`));
    this.manager.on(WebSocketShardEvents.Error, (err) => this.onError(err));
    this.manager.on(WebSocketShardEvents.Dispatch, (payload) => this.onDispatch(payload));
    this.start();
  }

  async send(reply: BridgeReply): Promise<DeliveryOutcome> {
    const body = discordReplyBody(reply.text, reply.replyContext?.guildId ? reply.replyContext.messageId : undefined);
    return this.deliver(reply, () =>
      reply.conversationId
        ? discordCall(this.client, "POST", `/channels/${reply.conversationId}/messages`, body).then((res) => discordSendResult(res))
        : sendDirectMessage(this.client, reply.recipient, body),
    );
  }

  /** The file attached to a message (`payload_json` + `files[0]`) in the channel answered, or the person's DM. */
  async sendFile(reply: BridgeReply, file: ReplyFileBytes): Promise<DeliveryOutcome> {
    const message = { recipient: reply.recipient, conversationId: reply.conversationId, deliveryId: reply.id, text: "", file };
    const botToken = this.config.botToken;
    return this.deliver(reply, () =>
      reply.conversationId
        ? sendDiscordChannelFile({ ...this.client, botToken }, reply.conversationId, message)
        : sendDiscordFile(this.client, { applicationId: "", botToken, userId: reply.recipient }, message),
    );
  }

  /** One delivery to Discord: refused while disconnected or rate limited; a 429 holds every later one for its retry_after. */
  private async deliver(reply: BridgeReply, attempt: () => Promise<SendResult>): Promise<DeliveryOutcome> {
    if (!this.connected) return { ok: false, retryable: true, error: "Discord gateway is not connected" };
    if (Date.now() < this.rateLimitedUntil) return { ok: false, retryable: true, error: "Discord rate limit: waiting for retry_after" };
    try {
      const result = await attempt();
      if (reply.conversationId) this.typing.stop(reply.conversationId);
      if (result.ok) return { ok: true };
      if (result.retryAfterMs) this.rateLimitedUntil = Date.now() + result.retryAfterMs;
      return { ok: false, retryable: result.retryable, error: result.error };
    } catch (err) {
      return { ok: false, retryable: true, error: `Discord unreachable: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.typing.stopAll();
    // Closed with a non-1000 code and the session kept on disk: the next start resumes it.
    this.sessions.keepOnDisk = true;
    await Promise.resolve(this.manager.destroy({ code: CLOSE_RESUMABLE, reason: "bridge stopping" })).catch(() => undefined);
    this.host.state("stopped");
  }

  /**
   * Learns the bot's own id (GET /users/@me, which also checks the token) before connecting:
   * a session resumed after a restart gets no READY, yet its replayed messages need the id.
   */
  private start(): void {
    if (this.attempt === 0) this.host.state("connecting");
    void (async () => {
      try {
        const me = await discordCall(this.client, "GET", "/users/@me");
        // 401 for a wrong token: final, no retry loop.
        if (me.status === 401) return this.fail("Discord rejected the bot token (GET /users/@me: 401): copy it again from the Bot page");
        if (!me.ok) throw new Error(`GET /users/@me: HTTP ${me.status}`);
        this.botId = ((await me.json()) as { id: string }).id;
        await this.manager.connect();
      } catch (err) {
        if (this.stopped) return;
        const delay = backoffDelayMs(this.attempt++, START_RETRY);
        this.host.state("connecting", `cannot reach Discord: ${err instanceof Error ? err.message : String(err)}; retrying`);
        this.retry = setTimeout(() => this.start(), delay);
      }
    })();
  }

  private onError(err: Error): void {
    const fatal = FATAL_GATEWAY_ERRORS[err.message];
    if (fatal) this.fail(fatal);
    else this.host.log.warn("discord gateway error", { error: err.message });
  }

  private fail(reason: string): void {
    this.stopped = true;
    this.connected = false;
    void Promise.resolve(this.manager.destroy()).catch(() => undefined);
    this.host.state("failed", reason);
  }

  private setConnected(connected: boolean, reason?: string): void {
    this.connected = connected;
    if (this.stopped) return;
    if (connected) this.attempt = 0;
    this.host.state(connected ? "connected" : "connecting", reason);
  }

  private onDispatch(payload: GatewayDispatchPayload): void {
    let important = false;
    if (payload.t === GatewayDispatchEvents.MessageCreate && this.botId) {
      const normalized = normalizeGatewayMessage(payload.d, { botId: this.botId, dmOnly: this.config.dmOnly, guildIds: this.config.guildIds });
      if (normalized.kind === "message") {
        this.host.receive(normalized.message);
        this.typing.start(normalized.channelId);
        important = true;
      }
    }
    this.sessions.handled(payload.s, important);
  }
}

export const discordGatewayChannel: BridgeChannelType = {
  type: "discord-gateway",
  start(channel, host) {
    const parsed = discordGatewayConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid discord-gateway config: ${describeZodError(parsed.error)}`);
    return new DiscordGatewayConnection(parsed.data, host);
  },
};
