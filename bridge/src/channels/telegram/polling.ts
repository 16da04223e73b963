/**
 * Telegram by getUpdates long polling (grammY's Api, `apiRoot` = the channel's apiBase). One
 * loop per channel: poll → normalise each update with the webhook's own code (update.ts) →
 * write it to the bridge's outbox (host.receive, on disk before it returns) → persist the
 * next offset → poll again with it, which confirms the batch to Telegram. Killed anywhere in
 * between, the bridge asks again for what it did not write down, and the gateway's dedupe
 * (`<chat id>:<message id>`) drops what it already has: nothing lost, nothing answered twice.
 */
import type { Api } from "grammy/web";
import type { Update } from "grammy/types";
import { telegramApi } from "../../../../src/channels/telegram/api";
import { DEFAULT_POLL_TIMEOUT_SECONDS, type TelegramPollingConfig, telegramPollingConfigSchema } from "../../../../src/channels/telegram/polling";
import { sendTelegramReply, TELEGRAM_ALLOWED_UPDATES } from "../../../../src/channels/telegram/reply";
import { sendTelegramFile } from "../../../../src/channels/telegram/send-file";
import { botIdFromToken, type BotIdentity, normalizeUpdate } from "../../../../src/channels/telegram/update";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import { pollFailure } from "./poll-failure";
import { PollState } from "./poll-state";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, EditableMessages, ReplyFileBytes, RunningChannel } from "../shared/types";
import { telegramEditableMessages } from "./live-edits";
import type { TypingIndicator } from "../shared/typing";
import { telegramTyping } from "./typing";

const RETRY = { baseMs: 1000, maxMs: 60_000 };
/** grammY's declarations name the abort-controller shim's AbortSignal; Node's own is what it gets at run time. */
type GrammySignal = Parameters<Api["getUpdates"]>[1];
/** A client-side bound above the long poll, so a silently dead connection is noticed. */
const CLIENT_TIMEOUT_MARGIN_SECONDS = 15;
/** Where a reply goes: the chat it answers, or the person's private chat. */
const chatOf = (reply: BridgeReply) => reply.conversationId ?? reply.recipient;

class TelegramPoller implements RunningChannel {
  private readonly api: Api;
  private readonly state: PollState;
  private readonly abort = new AbortController();
  private readonly signal = this.abort.signal as unknown as GrammySignal;
  private readonly pollTimeoutSeconds: number;
  private bot: BotIdentity;
  private polling = false;
  private stopped = false;
  /** Set from a 429's retry_after: replies wait (held by the channel manager) until then. */
  private rateLimitedUntil = 0;
  /** Streamed replies: sendMessage, then editMessageText (live-edits.ts). */
  readonly streaming: EditableMessages;
  /** "typing…" per chat from the message's arrival until the reply (or its first streamed part) goes out. */
  private readonly typing: TypingIndicator;

  constructor(
    private readonly config: TelegramPollingConfig,
    private readonly host: ChannelHost,
  ) {
    this.pollTimeoutSeconds = config.pollTimeoutSeconds ?? DEFAULT_POLL_TIMEOUT_SECONDS;
    this.api = telegramApi(config.botToken, config.apiBase, globalThis.fetch, this.pollTimeoutSeconds + CLIENT_TIMEOUT_MARGIN_SECONDS);
    this.bot = { id: botIdFromToken(config.botToken), username: config.botUsername };
    this.state = new PollState(host.dataDir, this.bot.id);
    this.typing = telegramTyping(this.api);
    const edits = telegramEditableMessages({
      api: this.api,
      notReady: () =>
        !this.polling ? "Telegram polling is not running" : Date.now() < this.rateLimitedUntil ? "Telegram rate limit: waiting for retry_after" : null,
      rateLimited: (ms) => (this.rateLimitedUntil = Date.now() + ms),
    });
    this.streaming = {
      ...edits,
      post: async (reply) => {
        const outcome = await edits.post(reply);
        if (outcome.ok) this.typing.stop(chatOf(reply));
        return outcome;
      },
    };
    void this.run();
  }

  async send(reply: BridgeReply): Promise<DeliveryOutcome> {
    if (!this.polling) return { ok: false, retryable: true, error: "Telegram polling is not running" };
    if (Date.now() < this.rateLimitedUntil) return { ok: false, retryable: true, error: "Telegram rate limit: waiting for retry_after" };
    const result = await sendTelegramReply(this.api, {
      chatId: chatOf(reply),
      text: reply.text,
      replyToMessageId: reply.replyContext?.messageId,
    });
    if (result.ok) {
      this.typing.stop(chatOf(reply));
      return { ok: true };
    }
    if (result.retryAfterMs) this.rateLimitedUntil = Date.now() + result.retryAfterMs;
    return { ok: false, retryable: result.retryable, error: result.error };
  }

  /** The Worker adapter's upload (sendPhoto for PNG and JPEG, sendDocument otherwise), as a reply to the message answered. */
  async sendFile(reply: BridgeReply, file: ReplyFileBytes): Promise<DeliveryOutcome> {
    if (!this.polling) return { ok: false, retryable: true, error: "Telegram polling is not running" };
    if (Date.now() < this.rateLimitedUntil) return { ok: false, retryable: true, error: "Telegram rate limit: waiting for retry_after" };
    const chatId = chatOf(reply);
    const target = { botToken: this.config.botToken, apiBase: this.config.apiBase, chatId, replyToMessageId: reply.replyContext?.messageId };
    const message = { recipient: reply.recipient, conversationId: reply.conversationId, deliveryId: reply.id, text: "", file };
    const result = await sendTelegramFile(target, message, globalThis.fetch);
    if (result.ok) {
      this.typing.stop(chatId);
      return { ok: true };
    }
    if (result.retryAfterMs) this.rateLimitedUntil = Date.now() + result.retryAfterMs;
    return { ok: false, retryable: result.retryable, error: result.error };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.polling = false;
    this.typing.stopAll();
    this.abort.abort();
    this.host.state("stopped");
  }

  private async run(): Promise<void> {
    this.host.state("connecting");
    let attempt = 0;
    let started = false;
    while (!this.stopped) {
      try {
        if (!started) started = await this.start();
        if (!started) continue;
        const updates = await this.api.getUpdates(
          { offset: this.state.offset, timeout: this.pollTimeoutSeconds, allowed_updates: [...TELEGRAM_ALLOWED_UPDATES] },
          this.signal,
        );
        if (!this.polling) {
          this.polling = true;
          this.host.state("connected");
        }
        attempt = 0;
        this.take(updates);
      } catch (err) {
        if (this.stopped) return;
        const failure = pollFailure(err);
        this.polling = false;
        if (failure.kind === "final") {
          this.stopped = true;
          this.host.state("failed", failure.reason);
          return;
        }
        if (failure.kind === "webhook") {
          started = false;
          await this.standAside();
          continue;
        }
        this.host.state("connecting", `${failure.reason}; retrying`);
        await this.sleep(failure.afterMs ?? backoffDelayMs(attempt++, RETRY));
      }
    }
  }

  /**
   * Checks the token (getMe) and switches the bot to polling: a webhook is deleted (its
   * pending updates kept, to be polled), unless it is the one this channel stood aside for.
   * Returns false while standing aside.
   */
  private async start(): Promise<boolean> {
    const me = await this.api.getMe(this.signal);
    this.bot = { id: me.id, username: this.config.botUsername ?? me.username };
    const hook = await this.api.getWebhookInfo(this.signal);
    if (hook.url && hook.url === this.state.standingAsideFor) {
      await this.standAside(hook.url);
      return false;
    }
    if (hook.url) {
      await this.api.deleteWebhook({ drop_pending_updates: false }, this.signal);
      this.host.log.info("telegram webhook deleted: the bot is now polled", { pendingUpdates: hook.pending_update_count });
    }
    this.state.standAside(undefined);
    return true;
  }

  /**
   * A webhook was set for the bot (the webhook channel's setup): this channel waits, checking
   * every poll interval, until the webhook is gone (this channel's setup deletes it).
   */
  private async standAside(known?: string): Promise<void> {
    const url = known ?? (await this.api.getWebhookInfo(this.signal).catch(() => ({ url: undefined }))).url;
    if (!url) return;
    this.state.standAside(url);
    this.host.state(
      "failed",
      `the bot was switched to webhook mode (${url}); this channel stands aside: run its setup (POST /api/channels/:id/setup) to switch the bot back to polling`,
    );
    await this.sleep(this.pollTimeoutSeconds * 1000);
  }

  /** Every update is on disk (outbox) before the offset that confirms it is. */
  private take(updates: Update[]): void {
    if (updates.length === 0) return;
    for (const update of updates) {
      let normalized: ReturnType<typeof normalizeUpdate>;
      try {
        normalized = normalizeUpdate(update, this.bot);
      } catch (err) {
        this.host.log.warn("telegram update not understood; skipped", { updateId: update.update_id, error: String(err) });
        continue;
      }
      if (normalized.kind === "ignored") continue;
      const { attachments, ...message } = normalized.message;
      // Attachments are described to the gateway, never carried: a `telegram-file:` reference the
      // gateway resolves with the bot token when the agent needs the file (docs/media.md).
      this.host.receive({
        ...message,
        attachments: attachments?.map(({ type, name, url, size, voice, durationSeconds }) => ({ type, name, url, size, voice, durationSeconds })),
      });
      // The typing indicator while the agent works, renewed until the reply goes out (typing.ts).
      this.typing.start(String(normalized.chatId));
    }
    this.state.saveOffset(Math.max(...updates.map((u) => u.update_id)) + 1);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

export const telegramPollingChannel: BridgeChannelType = {
  type: "telegram-polling",
  start(channel, host) {
    const parsed = telegramPollingConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid telegram-polling config: ${describeZodError(parsed.error)}`);
    return new TelegramPoller(parsed.data, host);
  },
};
