/**
 * The e-mail channel's outbound transport on Cloudflare: a raw MIME message handed to the
 * send_email binding. Replies leave from the sender's object long after the `email` event,
 * so `message.reply()` (valid only inside that event) cannot be used.
 */
import { EmailMessage } from "cloudflare:email";
import type { ChannelContext } from "../src/channels/shared/types";

export function emailTransport(env: Env): ChannelContext<unknown>["sendEmail"] {
  return async ({ from, to }, raw) => {
    await env.SEND_EMAIL.send(new EmailMessage(from, to, raw));
  };
}
