/**
 * One message from the mailbox, read with the Worker e-mail channel's own code
 * (src/channels/email/inbound.ts): quoted history and signatures cut, HTML reduced to text,
 * text attachments inlined, auto-replies, list mail and bounces recognised, and the receiving
 * server's verdict on the sender checked when the channel names that server. The result is
 * either a message for the outbox or the reason it is left unanswered.
 */
import { sha256Hex } from "../../../../src/crypto/hmac";
import { readInboundEmail } from "../../../../src/channels/email/inbound";
import type { MailboxConfig } from "../../../../src/channels/email/mailbox";
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";
import type { InboundFile } from "../../inbound-outbox";
import { wantedBytes } from "../shared/media";

/** The gateway's limits on an inbound frame (bridged-protocol.ts). */
const MAX_TEXT_CHARS = 100_000;
const MAX_MESSAGE_ID_CHARS = 300;

export type MailboxMessage = { kind: "message"; message: BridgeInboundMessage; files: InboundFile[] } | { kind: "skipped"; reason: string; senderId?: string };

/** The gateway's limit on attachments per message (src/protocol/bridge.ts). */
const MAX_ATTACHMENTS = 10;

/** A file the model reads (picture, PDF, voice) within the limits goes to the gateway with its bytes; text is inlined. */
const handsOver = (file: { type: string; size: number }) => {
  const max = wantedBytes(file);
  return max !== null && file.size <= max;
};

/** The SMTP envelope is gone once mail is in a mailbox; Return-Path is where the server kept MAIL FROM. */
function returnPath(raw: Buffer): string | undefined {
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString("latin1");
  const end = head.search(/\r?\n\r?\n/);
  const m = /^return-path:\s*(<[^>\r\n]*>|\S+)/im.exec(end >= 0 ? head.slice(0, end) : head);
  return m?.[1]?.trim();
}

export async function readMailboxMessage(raw: Buffer, config: MailboxConfig): Promise<MailboxMessage> {
  const path = returnPath(raw);
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const read = await readInboundEmail(
    bytes,
    // No Return-Path (a message APPENDed by a client): not a bounce, the From address stands in.
    { from: path === undefined ? "unknown@unknown.invalid" : path.replace(/^<|>$/g, ""), to: config.address },
    config.trustedAuthServId,
    { inlineTextAttachments: true, handsOver },
  );
  switch (read.kind) {
    case "invalid":
      return { kind: "skipped", reason: read.reason };
    case "unanswerable":
    case "auth-failed":
      return { kind: "skipped", reason: read.reason, senderId: read.senderId };
  }
  const m = read.message;
  if (m.senderId.length > 200) return { kind: "skipped", reason: "sender address longer than 200 characters" };
  const attachments = (m.attachments ?? []).slice(0, MAX_ATTACHMENTS);
  const files = attachments.flatMap((a, index) => {
    const bytes = read.inlinedBytes[index];
    return bytes && a.size !== undefined && handsOver({ type: a.type, size: a.size }) ? [{ index, bytes }] : [];
  });
  const platformMessageId = m.platformMessageId.length > MAX_MESSAGE_ID_CHARS ? `sha256:${await sha256Hex(m.platformMessageId)}` : m.platformMessageId;
  return {
    kind: "message",
    message: {
      senderId: m.senderId,
      ...(m.senderName ? { senderName: m.senderName.slice(0, 200) } : {}),
      platformMessageId,
      text: m.text.length > MAX_TEXT_CHARS ? `${m.text.slice(0, MAX_TEXT_CHARS - 40)}\n[... message cut here]` : m.text,
      ...(attachments.length
        ? {
            attachments: attachments.map((a) => ({
              type: a.type.slice(0, 100),
              ...(a.name ? { name: a.name.slice(0, 200) } : {}),
              ...(a.size !== undefined ? { size: a.size } : {}),
            })),
          }
        : {}),
      replyContext: m.replyContext ?? {},
    },
    files,
  };
}
