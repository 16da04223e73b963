/**
 * The e-mail channel (Cloudflare Email Routing). Inbound mail does not come through
 * /hooks: Email Routing hands it to the Worker's `email` handler (workers/email.ts), which
 * reads it with email-inbound.ts. Replies are threaded MIME messages (email-reply.ts) sent
 * through the Worker's send_email binding, injected as `ctx.sendEmail`.
 */
import * as z from "zod";
import { mailboxAdapter } from "./mailbox";
import { buildReply } from "./reply";
import type { ChannelAdapter, SendResult } from "../shared/types";
import { fromNameField } from "./from-name";
import { fetchStagedPart } from "./staged-parts";

const disposition = z.enum(["reject", "drop"]);

const configSchema = z.object({
  address: z
    .email("address must be an e-mail address")
    .toLowerCase()
    .meta({ title: "Address" })
    .describe(
      "The address people write to, e.g. agent@example.com, on a domain with Cloudflare Email Routing (zone → Email → Email Routing → Routing rules: this address, action Send to a Worker). Replies are sent from it.",
    ),
  fromName: fromNameField,
  authFailure: disposition
    .default("reject")
    .meta({ title: "Unauthenticated mail" })
    .describe(
      "What happens to mail that fails SPF/DKIM/DMARC (no trusted result, DMARC fail, nothing aligned with From): reject refuses it at SMTP time (the sender gets a bounce), drop accepts and discards it unanswered. Default reject.",
    ),
  unanswerable: disposition
    .default("reject")
    .meta({ title: "Mail not to answer" })
    .describe(
      "What happens to auto-replies, list and bulk mail, bounces and senders the channel's policy refuses: reject refuses it at SMTP time, drop accepts and discards it. Default reject.",
    ),
  trustedAuthServId: z
    .string()
    .trim()
    .min(1)
    .default("mx.cloudflare.net")
    .meta({ title: "Trusted authentication server" })
    .describe(
      "Only Authentication-Results headers stamped by this server count when deciding who sent a message. Default mx.cloudflare.net (Email Routing's own); change it only if mail reaches Email Routing through another server you trust.",
    ),
});
export type EmailConfig = z.infer<typeof configSchema>;

/** Mail has no hard size limit this low; one long answer reads better than many short ones. */
const MAX_REPLY_CHARS = 100_000;

/**
 * The one place send_email failures become SendResults. Its errors are thrown, not coded:
 * a refused sender or recipient (unverified address, not allowed by the binding) or a
 * malformed message will fail again; anything else (a transient outage) is retried.
 */
export function emailSendResult(err: unknown): SendResult {
  const error = err instanceof Error ? err.message : String(err);
  const permanent = /not allowed|not verified|unverified|invalid|could not parse|does not match|domain/i.test(error);
  return { ok: false, retryable: !permanent, error: `send_email failed: ${error}` };
}

export const emailAdapter: ChannelAdapter<EmailConfig> = {
  type: "email",
  description: "E-mail through Cloudflare Email Routing (inbound) and the send_email binding (replies)",
  configSchema,
  secretFields: [],
  maxMessageLength: MAX_REPLY_CHARS,
  // Mail arrives only once an Email Routing rule sends this address to the Worker, set up by hand.
  awaitsFirstEvent: true,

  async verify() {
    return { kind: "rejected", status: 400, error: "e-mail channels receive mail through Cloudflare Email Routing, not HTTP; see docs/channels/email.md" };
  },

  async send(message, { config, sendEmail, now }) {
    if (!sendEmail) return { ok: false, retryable: false, error: 'no send_email binding: add [[send_email]] name = "SEND_EMAIL" to wrangler.toml' };
    const context = message.replyContext ?? {};
    const raw = buildReply({
      from: config.address,
      fromName: config.fromName,
      to: message.recipient,
      subject: context.subject ?? "",
      inReplyTo: context.messageId,
      references: context.references,
      text: message.text,
      deliveryId: message.deliveryId,
      date: new Date(now),
    });
    try {
      await sendEmail({ from: config.address, to: message.recipient }, raw);
      return { ok: true };
    } catch (err) {
      return emailSendResult(err);
    }
  },

  /** Attachments were staged in R2 by the email handler before the message was acknowledged (staged-parts.ts). */
  fetchAttachment(attachment, ctx, maxBytes) {
    return fetchStagedPart(attachment, ctx, maxBytes);
  },

  async setup({ config }) {
    const domain = config.address.split("@")[1];
    return {
      ok: true,
      steps: [
        `In the Cloudflare dashboard, open the zone ${domain} → Email → Email Routing and enable it (it adds the MX and SPF records).`,
        `Routing rules → Custom addresses → Create address: "${config.address}", action "Send to a Worker", destination: this gateway's Worker (loopgate).`,
        `Replies are sent from ${config.address} through the Worker's send_email binding (SEND_EMAIL in wrangler.toml). To answer any sender, onboard ${domain} to Email Sending (Email → Email Sending); with Email Routing alone, Cloudflare delivers only to verified destination addresses.`,
        `Senders are checked with the channel's policy (pairing by default): add trusted addresses to the allowlist, or set the policy to "open".`,
        `Test locally: curl -X POST 'http://localhost:8787/cdn-cgi/handler/email?from=you@example.org&to=${config.address}' --data-binary @message.eml (the message needs an "Authentication-Results: mx.cloudflare.net; dmarc=pass header.from=<its From domain>" header at the top: unauthenticated mail is refused)`,
      ],
    };
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [emailAdapter, mailboxAdapter];
