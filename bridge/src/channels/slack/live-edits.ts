/**
 * Slack replies that grow while the model writes, on the Socket Mode channel (docs/streaming.md,
 * bridge channels): the Events API channel's own streamed-reply code (src/channels/slack/stream.ts):
 * chat.postMessage in the thread a finished reply would go to, then chat.update in mrkdwn, one
 * update per 1.2 s (Web API tier 3). `message_not_found` (the message was deleted) is final:
 * the finished reply is then posted whole. A 429's Retry-After holds every send of the channel.
 */
import type { SendResult } from "../../../../src/channels/shared/types";
import { SLACK_EDIT_INTERVAL_MS, slackStreaming } from "../../../../src/channels/slack/stream";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { DeliveryOutcome, EditableMessages, PostOutcome } from "../shared/types";

export interface SlackEditHost {
  config: { botToken: string; apiBase?: string };
  /** Why nothing can be sent now (not connected, rate-limited), or null. */
  notReady(): string | null;
  /** A 429 said to wait this long before the channel sends again. */
  rateLimited(ms: number): void;
}

export function slackEditableMessages(host: SlackEditHost): EditableMessages {
  const streaming = slackStreaming<SlackEditHost["config"]>();
  const ctx = () => ({ channelId: "", config: host.config, publicUrl: "", now: Date.now(), fetch: globalThis.fetch });
  const message = (reply: BridgeReply) => ({
    recipient: reply.recipient,
    conversationId: reply.conversationId,
    inReplyTo: reply.inReplyTo,
    text: reply.text,
    deliveryId: reply.id,
    replyContext: reply.replyContext,
  });
  const failed = (result: SendResult & { ok: false }): Extract<DeliveryOutcome, { ok: false }> => {
    if (result.retryAfterMs) host.rateLimited(result.retryAfterMs);
    return { ok: false, retryable: result.retryable, error: result.error, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) };
  };
  return {
    minEditIntervalMs: () => SLACK_EDIT_INTERVAL_MS,

    async post(reply): Promise<PostOutcome> {
      const waiting = host.notReady();
      if (waiting) return { ok: false, retryable: true, error: waiting };
      const result = await streaming.start(message(reply), ctx());
      if (!result.ok) return failed(result);
      return result.platformMessageId
        ? { ok: true, messageId: result.platformMessageId }
        : { ok: false, retryable: false, error: "Slack named no message to update" };
    },

    async edit(reply, ts): Promise<DeliveryOutcome> {
      const waiting = host.notReady();
      if (waiting) return { ok: false, retryable: true, error: waiting };
      const result = await streaming.edit(message(reply), ts, ctx());
      return result.ok ? { ok: true } : failed(result);
    },
  };
}
