/**
 * A BlueBubbles message becomes an inbound message (stage 1 for imessage): messages others sent
 * to the Mac's Apple ID, in one-to-one chats (and group chats when the channel answers them).
 * Its own messages, tapbacks and other reactions (an `associatedMessageGuid`), and empty
 * messages are ignored. Attachments are described as BlueBubbles' download will serve them
 * (attachments.ts), with the guid the bridge downloads each by. The chat guid is the
 * conversation the reply goes to; the message guid keys deduplication.
 */
import type { InboundMessage } from "../shared/types";
import { describeAttachment } from "./attachments";
import { type BlueBubblesMessage, blueBubblesMessageSchema } from "./bluebubbles";

/** The gateway's limit on attachments per message (src/protocol/bridge.ts). */
const MAX_ATTACHMENTS = 10;

export type IMessageOutcome =
  /** `downloads[i]` is the BlueBubbles guid of `message.attachments[i]` (null when it has none). */
  | { kind: "message"; message: Omit<InboundMessage, "receivedAt">; createdAt: number; downloads: (string | null)[] }
  | { kind: "ignored"; why: string; createdAt: number }
  | { kind: "invalid"; error: string };

/** "iMessage;-;+15551234567" is a one-to-one chat, "iMessage;+;chat123..." a group. */
export const isGroupChat = (chatGuid: string) => chatGuid.split(";")[1] === "+";

export function normalizeBlueBubblesMessage(raw: unknown, options: { groups?: boolean } = {}): IMessageOutcome {
  const parsed = blueBubblesMessageSchema.safeParse(raw);
  if (!parsed.success) return { kind: "invalid", error: "not a BlueBubbles message (guid, isFromMe, dateCreated)" };
  const m: BlueBubblesMessage = parsed.data;
  const ignored = (why: string): IMessageOutcome => ({ kind: "ignored", why, createdAt: m.dateCreated });
  if (m.isFromMe) return ignored("sent from this Mac");
  if (m.associatedMessageGuid) return ignored("a tapback or reaction");
  const chat = m.chats[0];
  const sender = m.handle?.address;
  if (!chat || !sender) return ignored("no chat or sender");
  if (isGroupChat(chat.guid) && !options.groups) return ignored("group chat");
  const text = (m.text ?? "").replace(/\uFFFC/g, "").trim();
  const described = m.attachments.slice(0, MAX_ATTACHMENTS).map((a) => describeAttachment(a, m.isAudioMessage === true));
  const attachments = described.map(({ guid: _guid, ...a }) => a);
  if (!text && attachments.length === 0) return ignored("empty");
  return {
    kind: "message",
    createdAt: m.dateCreated,
    downloads: described.map((a) => a.guid),
    message: {
      senderId: sender,
      conversationId: chat.guid,
      platformMessageId: m.guid,
      text,
      attachments: attachments.length ? attachments : undefined,
    },
  };
}
