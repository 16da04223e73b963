/**
 * WhatsApp's typing indicator, shown by the turn's typing timer (workers/sender-session-live.ts)
 * while the agent works. Meta's Cloud API shows it with `POST /{phone-number-id}/messages`
 * naming the person's message (`status: "read"` plus `typing_indicator`), which also marks that
 * message read (two blue ticks); WhatsApp dismisses it when the business replies or after
 * 25 seconds ("Typing indicators", WhatsApp Business Platform docs). Asking again for the same
 * message shows it again, so it is renewed within those 25 seconds while the turn runs.
 */
import type { ReplyTarget, TypingIndicator } from "../shared/types";

/** WhatsApp dismisses the indicator after this long without a reply. */
export const WHATSAPP_TYPING_LIFETIME_MS = 25_000;
/** Renewed this often: well inside the lifetime above, also for a slow call. */
export const WHATSAPP_TYPING_RENEW_MS = 20_000;
/** How long one request may take before it is given up (the next renewal tries again). */
const TYPING_TIMEOUT_MS = 5_000;

/** What the indicator needs from the channel's config. */
export interface WhatsAppTypingConfig {
  phoneNumberId: string;
  accessToken: string;
}

/** The request body Meta documents: mark the person's message read and show "typing…". */
export function typingIndicatorBody(messageId: string) {
  return { messaging_product: "whatsapp", status: "read", message_id: messageId, typing_indicator: { type: "text" } };
}

/**
 * The typing indicator for the adapter. It needs the wamid of the person's message
 * (`inReplyTo`); a reply with none (a scheduled message) shows nothing.
 */
export function whatsappTyping<C extends WhatsAppTypingConfig>(graphBase: (config: C) => string): TypingIndicator<C> {
  return {
    renewEveryMs: WHATSAPP_TYPING_RENEW_MS,
    async show(target: ReplyTarget, { config, fetch }) {
      if (!target.inReplyTo) return;
      const res = await fetch(`${graphBase(config)}/${config.phoneNumberId}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${config.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify(typingIndicatorBody(target.inReplyTo)),
        signal: AbortSignal.timeout(TYPING_TIMEOUT_MS),
      });
      await res.body?.cancel();
    },
  };
}
