/**
 * The Worker's `email` handler: Cloudflare Email Routing delivers here. Stages 1 and 2 for
 * e-mail: find the channel by recipient, read and check the message (email-inbound.ts), and
 * hand it to the sender's object, which persists it; the reply leaves later from its alarm.
 * Mail that must not be answered is refused at SMTP time (`setReject`, nothing stored) or
 * accepted and dropped with an audit event, as the channel is configured; it is never
 * answered, so a forged or automatic sender cannot start a mail loop.
 */
import { and, eq, sql } from "drizzle-orm";
import { senderSession } from "../src/objects/addresses";
import type { EmailConfig } from "../src/channels/email";
import { MAX_EMAIL_BYTES, readInboundEmail } from "../src/channels/email/inbound";
import { openDb, type Db } from "../src/db/client";
import { channels } from "../src/db/schema";
import type { MasterKeys } from "../src/crypto/keyring";
import { loadChannel, type LoadedChannel, markChannelHeard } from "../src/pipeline/channel-store";
import { policyVerdict } from "../src/pipeline/policy";
import { eventStatement, feedEvent } from "../src/db/feed-events";
import { publishEvents } from "./live-feed";
import { createLogger } from "../src/lib/log";
import { stageAttachments, sweepStagedParts } from "../src/channels/email/staged-parts";
import { readConfig } from "../src/config";

const log = createLogger("email");

/** The e-mail channel whose address is the recipient; addresses are stored lowercased. */
async function findEmailChannel(db: Db, recipient: string, keys: MasterKeys): Promise<LoadedChannel | null> {
  const row = await db
    .select({ id: channels.id })
    .from(channels)
    .where(and(eq(channels.type, "email"), sql`lower(json_extract(${channels.config}, '$.address')) = ${recipient}`))
    .get();
  return row ? loadChannel(db, row.id, keys) : null;
}

async function readRaw(stream: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array | null> {
  if (size > MAX_EMAIL_BYTES) return null;
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return bytes.byteLength > MAX_EMAIL_BYTES ? null : bytes;
}

interface Refusal {
  disposition: "reject" | "drop";
  /** SMTP reply text for a rejection: enhanced status code and a reason. */
  smtp: string;
  reason: string;
  channelId?: string;
  senderId?: string;
}

/** Rejects at SMTP time (logged only) or drops with an audit event in D1 and the live feed. */
async function refuse(message: ForwardableEmailMessage, env: Env, db: Db, r: Refusal): Promise<void> {
  log.warn(r.disposition === "reject" ? "email rejected" : "email dropped", {
    channelId: r.channelId,
    senderId: r.senderId,
    envelopeFrom: message.from,
    to: message.to,
    reason: r.reason,
  });
  if (r.disposition === "reject") {
    message.setReject(r.smtp);
    return;
  }
  const event = feedEvent("message.dropped", r.channelId, r.senderId, { reason: r.reason, envelopeFrom: message.from, to: message.to });
  await db.batch([eventStatement(db, event)]);
  await publishEvents(env, [event]);
}

/** For the Cron heartbeat: staged attachments older than a day are deleted (staged-parts.ts). */
export function sweepStagedEmailParts(env: Env, now: number): Promise<number> {
  return sweepStagedParts(env.MEDIA, now);
}

export async function handleEmail(message: ForwardableEmailMessage, env: Env): Promise<void> {
  const db = openDb(env.DB);
  const recipient = message.to.trim().toLowerCase();
  const channel = await findEmailChannel(db, recipient, env);
  // An unknown mailbox is refused like any mail server would, at SMTP time, so nothing bounces back later.
  if (!channel) return refuse(message, env, db, { disposition: "reject", smtp: "5.1.1 mailbox unavailable", reason: `no e-mail channel for ${recipient}` });
  const config = channel.config as EmailConfig;
  const base = { channelId: channel.id };
  // Mail routed here shows the Email Routing rule exists: a channel waiting for its first mail is ok now.
  await markChannelHeard(db, channel);

  const raw = await readRaw(message.raw, message.rawSize);
  if (!raw)
    return refuse(message, env, db, { ...base, disposition: "reject", smtp: "5.3.4 message too big", reason: `message exceeds ${MAX_EMAIL_BYTES} bytes` });
  const inbound = await readInboundEmail(raw, { from: message.from, to: recipient }, config.trustedAuthServId);
  switch (inbound.kind) {
    case "invalid":
      return refuse(message, env, db, { ...base, disposition: "reject", smtp: `5.6.0 ${inbound.reason}`, reason: inbound.reason });
    case "auth-failed":
      return refuse(message, env, db, {
        ...base,
        senderId: inbound.senderId,
        disposition: config.authFailure,
        smtp: `5.7.1 ${inbound.reason}`,
        reason: inbound.reason,
      });
    case "unanswerable":
      return refuse(message, env, db, {
        ...base,
        senderId: inbound.senderId,
        disposition: config.unanswerable,
        smtp: "5.7.1 automatic messages are not accepted here",
        reason: inbound.reason,
      });
  }
  const { senderId } = inbound.message;
  const verdict = policyVerdict(channel.policy, channel.allowlist, senderId);
  // Dropped senders still enter the pipeline, whose policy stage records the drop.
  if ((verdict === "disabled" || verdict === "not_allowed") && config.unanswerable === "reject") {
    return refuse(message, env, db, {
      ...base,
      senderId,
      disposition: "reject",
      smtp: "5.7.1 sender not accepted by this address",
      reason: `policy: ${verdict}`,
    });
  }
  // The bytes exist only in this message: they are staged before it is acknowledged, so the turn can read them.
  const cfg = readConfig(env);
  // A sender the policy drops never gets a turn: nothing of theirs is written.
  const attachments =
    inbound.parts.length && verdict !== "disabled" && verdict !== "not_allowed"
      ? await stageAttachments(inbound.parts, {
          bucket: env.MEDIA,
          channelId: channel.id,
          platformMessageId: inbound.message.platformMessageId,
          limits: {
            imageBytes: cfg.MEDIA_MAX_IMAGE_BYTES,
            pdfBytes: cfg.MEDIA_MAX_PDF_BYTES,
            textBytes: cfg.MEDIA_MAX_TEXT_BYTES,
            audioBytes: cfg.MEDIA_MAX_AUDIO_BYTES,
          },
        })
      : inbound.message.attachments;
  const received = await senderSession(env, channel.id, senderId).receive(channel.id, {
    ...inbound.message,
    ...(attachments ? { attachments } : {}),
    receivedAt: Date.now(),
  });
  log.info("email received", {
    channelId: channel.id,
    senderId,
    messageId: received.messageId,
    duplicate: received.duplicate,
    authChecked: inbound.authChecked,
  });
}
