/**
 * The reply as a MIME message (stage 8 for e-mail): threaded under the sender's message
 * (In-Reply-To, References, "Re:" subject) so mail clients show one conversation, and marked
 * Auto-Submitted: auto-replied (RFC 3834) so well-behaved auto-responders do not answer it.
 */
import { createMimeMessage } from "mimetext/browser";

export interface ReplyInput {
  from: string;
  fromName?: string;
  to: string;
  /** Subject of the message being answered ("" when it had none). */
  subject: string;
  /** Message-ID of the message being answered, angle brackets included. */
  inReplyTo?: string;
  /** References of the thread, the answered message's id last. */
  references?: string;
  text: string;
  /** Stable per delivery, so a retried send carries the same Message-ID. */
  deliveryId: string;
  date?: Date;
}

/** "Re: <subject>", without stacking prefixes ("Re: Re: Re:") or adding one twice. */
export function replySubject(subject: string): string {
  const base = subject.replace(/^\s*((re|aw|sv|fwd?)\s*(\[\d+\])?\s*:\s*)+/i, "").trim();
  return base ? `Re: ${base}` : "Re: your message";
}

/** A Message-ID in the sender's domain, derived from the delivery id. */
export function replyMessageId(deliveryId: string, fromAddress: string): string {
  const domain = fromAddress.split("@")[1] ?? "loopgate.invalid";
  const local = deliveryId.replace(/[^A-Za-z0-9._-]/g, ".");
  return `<${local}@${domain}>`;
}

/** Base64 of UTF-8 text in 76-character lines (RFC 2045), safe for any reply text. */
function base64Lines(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/.{76}/g, "$&\r\n");
}

export function buildReply(input: ReplyInput): string {
  const msg = createMimeMessage();
  msg.setSender(input.fromName ? { name: input.fromName, addr: input.from } : input.from);
  msg.setRecipient(input.to);
  msg.setSubject(replySubject(input.subject));
  msg.setHeader("Message-ID", replyMessageId(input.deliveryId, input.from));
  if (input.date) msg.setHeader("Date", input.date.toUTCString().replace(/GMT|UTC/i, "+0000"));
  if (input.inReplyTo) msg.setHeader("In-Reply-To", input.inReplyTo);
  if (input.references) msg.setHeader("References", input.references);
  msg.setHeader("Auto-Submitted", "auto-replied");
  msg.addMessage({ contentType: "text/plain", data: base64Lines(input.text), encoding: "base64" });
  return msg.asRaw();
}
