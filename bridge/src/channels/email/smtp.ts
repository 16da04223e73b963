/**
 * Replies out over SMTP (stage 8 for the IMAP e-mail channel): the MIME message the Worker's
 * e-mail channel builds (src/channels/email/reply.ts: In-Reply-To, References, "Re:",
 * Auto-Submitted), handed to the account's submission server with nodemailer. The SMTP reply
 * code decides what happens next: 4xx and network errors are retried, 5xx are final.
 */
import nodemailer from "nodemailer";
import { buildReply } from "../../../../src/channels/email/reply";
import { type MailboxConfig, smtpPortOf } from "../../../../src/channels/email/mailbox";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { DeliveryOutcome } from "../shared/types";

/** An SMTP server that does not answer within this is treated as down (retried). */
const SMTP_TIMEOUT_MS = 30_000;

export function createSmtpTransport(config: MailboxConfig) {
  return nodemailer.createTransport({
    host: config.smtpHost,
    port: smtpPortOf(config),
    secure: config.smtpSecurity === "tls",
    // "starttls" must upgrade (the password never crosses in clear); "none" never tries.
    requireTLS: config.smtpSecurity === "starttls",
    ignoreTLS: config.smtpSecurity === "none",
    auth: { user: config.smtpUser ?? config.imapUser, pass: config.smtpPassword ?? config.imapPassword },
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
}

/** The one place nodemailer's errors become delivery outcomes. */
export function smtpDeliveryOutcome(err: unknown): DeliveryOutcome {
  const e = err as { responseCode?: number; code?: string; message?: string; response?: string };
  const detail = (e.response ?? e.message ?? String(err)).slice(0, 300);
  if (typeof e.responseCode === "number") {
    // RFC 5321 §4.2.1: 4yz is a transient failure, 5yz a permanent one.
    const retryable = e.responseCode < 500;
    return { ok: false, retryable, error: `SMTP ${e.responseCode}: ${detail}` };
  }
  if (e.code === "EAUTH") return { ok: false, retryable: false, error: `SMTP login refused: ${detail}` };
  if (e.code === "EENVELOPE" || e.code === "EMESSAGE") return { ok: false, retryable: false, error: `SMTP refused the message: ${detail}` };
  return { ok: false, retryable: true, error: `SMTP server unreachable: ${detail}` };
}

export async function sendMailboxReply(
  transport: ReturnType<typeof createSmtpTransport>,
  config: MailboxConfig,
  reply: BridgeReply,
  now = new Date(),
): Promise<DeliveryOutcome> {
  const context = reply.replyContext ?? {};
  const raw = buildReply({
    from: config.address,
    fromName: config.fromName,
    to: reply.recipient,
    subject: context.subject ?? "",
    inReplyTo: context.messageId,
    references: context.references,
    text: reply.text,
    // The same delivery id gives the same Message-ID, so a retried send is recognisably one message.
    deliveryId: reply.id,
    date: now,
  });
  try {
    await transport.sendMail({ envelope: { from: config.address, to: [reply.recipient] }, raw });
    return { ok: true };
  } catch (err) {
    return smtpDeliveryOutcome(err);
  }
}
