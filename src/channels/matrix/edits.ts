/**
 * A streamed Matrix reply (docs/streaming.md): its first part is posted as the reply would be
 * (outbound.ts: same room, same thread), under a transaction id of its own, so a bridge that
 * restarts before writing the event id down and posts again gets the same event back from the
 * homeserver. Every later part, and the finished reply, is an edit of that event: an
 * `m.room.message` with an `m.replace` relation and the whole new text in `m.new_content`, the
 * `* `-prefixed fallback for clients without edits. In an encrypted room the SDK encrypts it like
 * any event and keeps `m.relates_to` in the clear, as the spec requires.
 * https://spec.matrix.org/v1.12/client-server-api/#event-replacements
 */
import type { BridgeReply } from "../../protocol/bridge";
import { type BuiltReply, buildReplyEvent } from "./outbound";

/** The first part of a streamed reply: the reply's own event, under `loopgate.live.<reply id>`. */
export function buildFirstPartEvent(reply: BridgeReply): BuiltReply {
  const built = buildReplyEvent(reply);
  if (!built.ok) return built;
  return { ok: true, event: { ...built.event, txnId: built.event.txnId.replace(/^loopgate\./, "loopgate.live.") } };
}

/** An edit needs no idempotency (the same edit twice shows the same text), so no transaction id: the SDK picks one. */
export type BuiltEdit = { ok: true; roomId: string; content: Record<string, unknown> } | { ok: false; error: string };

/** The event replacing `eventId` (the first part) with `reply.text`; the thread and reply relation stay the original's. */
export function buildEditEvent(reply: BridgeReply, eventId: string): BuiltEdit {
  const built = buildReplyEvent(reply);
  if (!built.ok) return built;
  const { "m.relates_to": _original, ...newContent } = built.event.content;
  const content: Record<string, unknown> = {
    msgtype: "m.text",
    body: `* ${reply.text}`,
    ...(typeof newContent.formatted_body === "string" ? { format: newContent.format, formatted_body: `* ${newContent.formatted_body}` } : {}),
    // An edit pings nobody, and neither does the message it becomes.
    "m.mentions": {},
    "m.new_content": newContent,
    "m.relates_to": { rel_type: "m.replace", event_id: eventId },
  };
  return { ok: true, roomId: built.event.roomId, content };
}
