/**
 * Stage 1 for the e-mail channel: a raw message from Email Routing becomes an InboundMessage,
 * or a reason it must not enter the pipeline. Mail that no human is waiting on (auto-replies,
 * lists, bounces) is never answered, so two bots can never reply to each other in a loop.
 */
import PostalMime, { type Attachment as MailAttachment } from "postal-mime";
import { sha256Hex } from "../../crypto/hmac";
import { checkAuthentication, type MailHeader } from "./auth";
import { attachmentsForAgent, type HandsOver } from "./attachments";
import { htmlToText } from "./html";
import { stripQuotedText } from "./text";
import type { InboundMessage } from "../shared/types";

/** Email Routing accepts messages up to 25 MiB, attachments included (they are staged for the turn: staged-parts.ts). */
export const MAX_EMAIL_BYTES = 25 * 1024 * 1024;

export interface EmailEnvelope {
  /** SMTP MAIL FROM; empty for bounces. */
  from: string;
  /** SMTP RCPT TO: the channel's address. */
  to: string;
}

export type InboundEmail =
  | {
      kind: "message";
      message: Omit<InboundMessage, "receivedAt">;
      authChecked: boolean;
      /** The attachments with their bytes, in the order of `message.attachments`, for staging (staged-parts.ts); empty when inlined. */
      parts: MailAttachment[];
      /** When inlined: the bytes of each of `message.attachments`, in order (for the bridge's hand-over). */
      inlinedBytes: Uint8Array[];
    }
  /** Not to be answered: auto-submitted, list or bulk mail, a bounce. */
  | { kind: "unanswerable"; reason: string; senderId: string }
  | { kind: "auth-failed"; reason: string; senderId: string }
  | { kind: "invalid"; reason: string };

function header(headers: readonly MailHeader[], key: string): string | undefined {
  return headers.find((h) => h.key === key)?.value.trim();
}

/** Why a message must not be answered (RFC 3834 and common practice), or null. */
export function unanswerableReason(headers: readonly MailHeader[], envelopeFrom: string, fromAddress: string): string | null {
  const autoSubmitted = header(headers, "auto-submitted");
  if (autoSubmitted && autoSubmitted.toLowerCase() !== "no") return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = header(headers, "precedence")?.toLowerCase();
  if (precedence && ["bulk", "list", "junk", "auto_reply"].includes(precedence)) return `Precedence: ${precedence}`;
  if (header(headers, "list-id") !== undefined || header(headers, "list-unsubscribe") !== undefined) return "mailing-list message";
  if (header(headers, "x-autoreply") !== undefined || header(headers, "x-autorespond") !== undefined) return "auto-reply";
  const returnPath = header(headers, "return-path");
  if (envelopeFrom.trim() === "" || envelopeFrom.trim() === "<>" || returnPath === "<>") return "bounce (empty return path)";
  if (/^(mailer-daemon|postmaster)@/i.test(fromAddress)) return "bounce (mailer-daemon)";
  if (/multipart\/report/i.test(header(headers, "content-type") ?? "")) return "delivery or read report";
  return null;
}

/** The Message-ID's list for References: the original's references, then its own id. */
function referencesOf(references: string | undefined, messageId: string | undefined): string {
  const ids: string[] = [...((references ?? "").match(/<[^<>\s]+>/g) ?? [])];
  if (messageId && !ids.includes(messageId)) ids.push(messageId);
  // Long threads keep the first and the most recent ids, as RFC 5322 suggests.
  return (ids.length > 20 ? [ids[0]!, ...ids.slice(-19)] : ids).join(" ");
}

/** How a mailbox read over IMAP differs from Email Routing (src/channels/email/mailbox.ts). */
export interface InboundEmailOptions {
  /** Put the text of text attachments into the message and name the others (attachments.ts). */
  inlineTextAttachments?: boolean;
  /** With inlining: which of the others the reader hands to the gateway with their bytes. */
  handsOver?: HandsOver;
}

/** `trustedAuthServId` undefined: the receiving server's results are not consulted at all. */
export async function readInboundEmail(
  raw: Uint8Array | string,
  envelope: EmailEnvelope,
  trustedAuthServId: string | undefined,
  options: InboundEmailOptions = {},
): Promise<InboundEmail> {
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  } catch (err) {
    return { kind: "invalid", reason: `message could not be parsed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const from = email.from?.address ? email.from : undefined;
  const senderId = (from?.address ?? envelope.from).trim().toLowerCase();
  if (!senderId.includes("@")) return { kind: "invalid", reason: "message has no sender address" };

  let authChecked = false;
  if (trustedAuthServId) {
    const auth = checkAuthentication(email.headers, trustedAuthServId, from?.address);
    if (!auth.ok) return { kind: "auth-failed", reason: auth.reason, senderId };
    authChecked = auth.checked;
  }
  const unanswerable = unanswerableReason(email.headers, envelope.from, senderId);
  if (unanswerable) return { kind: "unanswerable", reason: unanswerable, senderId };

  const subject = (email.subject ?? "").trim();
  // An HTML-only message (no text/plain part) is read from its HTML.
  const body = stripQuotedText(email.text ?? (email.html ? htmlToText(email.html) : ""));
  const inlined = options.inlineTextAttachments ? attachmentsForAgent(email.attachments, options.handsOver) : null;
  // A message with only a subject ("What time is it in Tokyo?") is still a question.
  const text = [body || subject, ...(inlined?.blocks ?? [])].filter(Boolean).join("\n\n");
  // Pictures the HTML body shows inline (logos in signatures) are decoration, not content.
  const parts = inlined ? [] : email.attachments.filter((a) => !a.related);
  const attachments = inlined ? inlined.described : parts.map((a) => ({ type: a.mimeType, ...(a.filename ? { name: a.filename } : {}) }));
  if (!text) return { kind: "invalid", reason: "message has no text" };

  const messageId = email.messageId?.trim() || undefined;
  return {
    kind: "message",
    authChecked,
    parts,
    inlinedBytes: inlined?.contents ?? [],
    message: {
      senderId,
      senderName: from?.name || undefined,
      // Without a Message-ID, the content itself identifies a redelivery.
      platformMessageId: messageId ?? `sha256:${await sha256Hex(typeof raw === "string" ? raw : new TextDecoder().decode(raw))}`,
      text,
      attachments: attachments.length ? attachments : undefined,
      replyContext: {
        subject,
        ...(messageId ? { messageId } : {}),
        references: referencesOf(email.references, messageId),
        channelAddress: envelope.to.toLowerCase(),
      },
    },
  };
}
