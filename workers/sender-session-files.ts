/**
 * Files the agent sends, in the sender's object (docs/media.md, "Files the agent sends"). Each
 * file is an outbox row after the reply's text (the file in its `file` column, base64), so it
 * goes through the same ledger as the text: in order, retried with backoff, sent once. A
 * channel with `sendFile` uploads it; any other channel, or a platform that refuses the file for
 * good (too large, a type it does not take), gets the row's text: a line naming the file.
 */
import type { LoadedChannel } from "../src/pipeline/channel-store";
import type { ChannelContext, OutboundMessage, SendResult } from "../src/channels/shared/types";
import { agentFile, type AgentFile, fileNotAttachedText, fromBase64 } from "../src/lib/agent-files";
import { sniffMediaType } from "../src/lib/sniff-media-type";

/** Where the file goes: the reply's route (sender-session.ts ReplyRoute). */
export interface FileRoute {
  turnId: string;
  runId: string | null;
  recipient: string;
  conversationId: string | null;
  inReplyTo: string | null;
  replyContext: string | null;
}

export function enqueueFile(sql: SqlStorage, id: string, channelId: string, route: FileRoute, file: AgentFile, now: number): void {
  sql.exec(
    `INSERT OR IGNORE INTO outbox (id, turn_id, run_id, channel_id, recipient, conversation_id, in_reply_to, reply_context, text, file, status, attempts, next_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    id,
    route.turnId,
    route.runId,
    channelId,
    route.recipient,
    route.conversationId,
    route.inReplyTo,
    route.replyContext,
    fileNotAttachedText(file.name, file.size),
    JSON.stringify(file),
    now,
    now,
  );
}

/** Delivers one file row: the upload where the channel has one, else (or when refused for good) the line naming it. */
export async function sendFileRow(channel: LoadedChannel, fileJson: string, message: OutboundMessage, ctx: ChannelContext<unknown>): Promise<SendResult> {
  const parsed = agentFile.safeParse(JSON.parse(fileJson));
  const sendFile = channel.adapter.sendFile;
  if (!parsed.success || !sendFile) return channel.adapter.send(message, ctx);
  const bytes = fromBase64(parsed.data.data);
  // Sniffed again here: the type decides sendPhoto or sendDocument, and only the bytes are trusted.
  const file = { name: parsed.data.name, mediaType: sniffMediaType(bytes), bytes };
  const uploaded = await sendFile({ ...message, text: "", file }, ctx);
  if (uploaded.ok || uploaded.retryable) return uploaded;
  console.error(
    JSON.stringify({ msg: "file upload refused; sending its name instead", channelId: ctx.channelId, deliveryId: message.deliveryId, error: uploaded.error }),
  );
  const line = await channel.adapter.send(message, ctx);
  return line.ok ? line : uploaded;
}
