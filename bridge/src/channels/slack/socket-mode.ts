/**
 * Slack in Socket Mode with @slack/bolt: the bridge opens the Socket Mode WebSocket with the
 * app-level token (apps.connections.open), and events arrive as envelopes that bolt
 * acknowledges. Each event goes through the Worker channel's own normalisation
 * (src/channels/slack/events.ts), so DMs and @mentions, the ignored bot messages and edits,
 * threads, and the event_id that dedupes Slack's redeliveries are exactly as over the Events API.
 */
import { App, SocketModeReceiver } from "@slack/bolt";
import { slackSocketConfigSchema, type SlackSocketConfig } from "../../../../src/channels/slack/socket-mode";
import { normalizeSlackPayload } from "../../../../src/channels/slack/events";
import { toSlackMrkdwn } from "../../../../src/channels/slack/format";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import { boltLogger, slackDeliveryOutcome, slackStartFailure } from "./socket-mode-support";
import { sendSlackFile } from "../../../../src/channels/slack/send-file";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, EditableMessages, ReplyFileBytes, RunningChannel } from "../shared/types";
import { slackEditableMessages } from "./live-edits";

const START_RETRY = { baseMs: 1000, maxMs: 60_000 };

class SlackSocketConnection implements RunningChannel {
  private readonly app: App;
  private readonly receiver: SocketModeReceiver;
  private connected = false;
  private stopped = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  /** Set from a 429's Retry-After: replies wait (held by the channel manager) until then. */
  private rateLimitedUntil = 0;
  /** Streamed replies: chat.postMessage, then chat.update (live-edits.ts). */
  readonly streaming: EditableMessages;

  constructor(
    private readonly config: SlackSocketConfig,
    private readonly host: ChannelHost,
  ) {
    this.streaming = slackEditableMessages({
      config,
      notReady: () =>
        !this.connected ? "Slack Socket Mode is not connected" : Date.now() < this.rateLimitedUntil ? "Slack rate limit: waiting for Retry-After" : null,
      rateLimited: (ms) => (this.rateLimitedUntil = Date.now() + ms),
    });
    const logger = boltLogger(host.log);
    // No retries inside the Web API client: a failed start is retried here with backoff, a
    // failed reply by the channel manager, and a 429 is honoured through rateLimitedUntil.
    const clientOptions = { slackApiUrl: apiUrl(config.apiBase), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger };
    this.receiver = new SocketModeReceiver({ appToken: config.appToken, logger, installerOptions: { clientOptions } });
    this.app = new App({ token: config.botToken, receiver: this.receiver, clientOptions, logger });
    for (const type of ["message", "app_mention"] as const) this.app.event(type, async ({ body }) => this.onEvent(body));
    this.receiver.client.on("connected", () => this.setConnected(true));
    this.receiver.client.on("reconnecting", () => this.setConnected(false, "Socket Mode connection lost; reconnecting"));
    this.start();
  }

  async send(reply: Parameters<RunningChannel["send"]>[0]): Promise<DeliveryOutcome> {
    if (!this.connected) return { ok: false, retryable: true, error: "Slack Socket Mode is not connected" };
    if (Date.now() < this.rateLimitedUntil) return { ok: false, retryable: true, error: "Slack rate limit: waiting for Retry-After" };
    const threadTs = reply.replyContext?.threadTs;
    try {
      await this.app.client.chat.postMessage({
        channel: reply.conversationId ?? reply.recipient,
        text: toSlackMrkdwn(reply.text),
        mrkdwn: true,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      return { ok: true };
    } catch (err) {
      const outcome = slackDeliveryOutcome(err);
      if (outcome.retryAfterMs) this.rateLimitedUntil = Date.now() + outcome.retryAfterMs;
      return outcome.result;
    }
  }

  /** The Worker adapter's external upload (files.getUploadURLExternal, the bytes, files.completeUploadExternal) into the reply's thread. */
  async sendFile(reply: BridgeReply, file: ReplyFileBytes): Promise<DeliveryOutcome> {
    if (!this.connected) return { ok: false, retryable: true, error: "Slack Socket Mode is not connected" };
    if (Date.now() < this.rateLimitedUntil) return { ok: false, retryable: true, error: "Slack rate limit: waiting for Retry-After" };
    const client = { botToken: this.config.botToken, apiBase: this.config.apiBase, fetch: globalThis.fetch };
    const message = {
      recipient: reply.recipient,
      conversationId: reply.conversationId,
      deliveryId: reply.id,
      text: "",
      replyContext: reply.replyContext,
      file,
    };
    try {
      const result = await sendSlackFile(client, message);
      if (result.ok) return { ok: true };
      if (result.retryAfterMs) this.rateLimitedUntil = Date.now() + result.retryAfterMs;
      return { ok: false, retryable: result.retryable, error: result.error };
    } catch (err) {
      return { ok: false, retryable: true, error: `Slack unreachable: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.app.stop().catch(() => undefined);
    this.host.state("stopped");
  }

  /** Checks the bot token (auth.test) before opening the socket, so a wrong token fails loudly at once. */
  private start(): void {
    if (this.attempt === 0) this.host.state("connecting");
    void (async () => {
      try {
        const auth = await this.app.client.auth.test();
        this.host.log.info("slack bot token accepted", { team: auth.team, user: auth.user });
        await this.app.start();
      } catch (err) {
        if (this.stopped) return;
        const failure = slackStartFailure(err);
        if (failure.final) {
          this.stopped = true;
          await this.app.stop().catch(() => undefined);
          this.host.state("failed", failure.reason);
          return;
        }
        const delay = backoffDelayMs(this.attempt++, START_RETRY);
        this.host.state("connecting", `${failure.reason}; retrying`);
        this.retry = setTimeout(() => this.start(), delay);
      }
    })();
  }

  private setConnected(connected: boolean, reason?: string): void {
    this.connected = connected;
    if (this.stopped) return;
    if (connected) this.attempt = 0;
    this.host.state(connected ? "connected" : "connecting", reason);
  }

  private onEvent(body: unknown): void {
    const payload = normalizeSlackPayload(body);
    if (payload.kind === "message") this.host.receive(payload.message);
    else if (payload.kind === "invalid") this.host.log.warn("slack event not understood", { error: payload.error });
  }
}

/** bolt's WebClient joins the method name to this URL; it must end with a slash. */
function apiUrl(base: string | undefined): string | undefined {
  return base ? `${base.replace(/\/+$/, "")}/` : undefined;
}

export const slackSocketChannel: BridgeChannelType = {
  type: "slack-socket",
  start(channel, host) {
    const parsed = slackSocketConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid slack-socket config: ${describeZodError(parsed.error)}`);
    return new SlackSocketConnection(parsed.data, host);
  },
};
