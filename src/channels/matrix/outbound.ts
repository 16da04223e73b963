/**
 * A reply as a Matrix event (stage 8 for matrix): `m.room.message` with msgtype `m.text`, the
 * agent's Markdown as `body` and, when it carries markup, as `org.matrix.custom.html` in
 * `formatted_body` (format.ts). A reply to a message in a thread, or to a mention in a room,
 * goes into that thread (`m.relates_to` rel_type `m.thread`, with the answered event as
 * `m.in_reply_to` for clients without threads). Replies mention nobody (`m.mentions: {}`),
 * so the bot never pings a room.
 * https://spec.matrix.org/v1.12/client-server-api/#threading
 */
import type { BridgeReply } from "../../protocol/bridge";
import { markdownToMatrixHtml } from "./format";
import { MATRIX_USER_ID } from "./index";

export interface MatrixReplyEvent {
  roomId: string;
  content: Record<string, unknown>;
  /** Derived from the reply id: a re-send after a failure or restart is the same transaction, which the homeserver dedupes. */
  txnId: string;
}

export type BuiltReply = { ok: true; event: MatrixReplyEvent } | { ok: false; error: string };

/** Where a reply goes: the room it came from; a bare user id (no room known) is not routable here. */
export function buildReplyEvent(reply: BridgeReply): BuiltReply {
  const roomId = reply.conversationId ?? reply.recipient;
  if (!roomId.startsWith("!")) {
    return {
      ok: false,
      error: MATRIX_USER_ID.test(roomId)
        ? `no room given for ${roomId}: Matrix replies go to the room a message came from`
        : `not a Matrix room id: ${roomId.slice(0, 80)}`,
    };
  }
  const content: Record<string, unknown> = { msgtype: "m.text", body: reply.text, "m.mentions": {} };
  const html = markdownToMatrixHtml(reply.text);
  if (html !== null) {
    content.format = "org.matrix.custom.html";
    content.formatted_body = html;
  }
  const threadRoot = reply.replyContext?.threadRoot;
  const answered = reply.replyContext?.eventId ?? reply.inReplyTo;
  if (threadRoot) {
    content["m.relates_to"] = {
      rel_type: "m.thread",
      event_id: threadRoot,
      is_falling_back: true,
      ...(answered ? { "m.in_reply_to": { event_id: answered } } : {}),
    };
  }
  return { ok: true, event: { roomId, content, txnId: `loopgate.${reply.id.replace(/[^A-Za-z0-9._~-]/g, "_")}` } };
}
