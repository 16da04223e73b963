/**
 * A Nostr event from a relay → a message for the gateway. The event's id and Schnorr signature
 * are checked before anything else (a relay is not trusted: a forged event is refused here, never
 * decrypted). Then: a NIP-04 direct message (kind 4, NIP-04 encryption) is decrypted; a NIP-17
 * private message arrives gift-wrapped (kind 1059, NIP-59): the wrap opens with NIP-44 to a seal
 * (kind 13) whose signature nostr-tools checks and whose author must be the rumor's author, and
 * the rumor (kind 14, unsigned) must hash to its own id, so the id that dedupes it is bound to
 * its author.
 */
import * as nip04 from "nostr-tools/nip04";
import { unwrapEvent } from "nostr-tools/nip59";
import { getEventHash, getPublicKey, validateEvent, verifyEvent, type NostrEvent } from "nostr-tools/pure";
import { npub } from "./keys";
import type { BridgeInboundMessage } from "../../protocol/bridge";

export const KIND_LEGACY_DM = 4;
export const KIND_SEAL = 13;
export const KIND_PRIVATE_MESSAGE = 14;
export const KIND_GIFT_WRAP = 1059;
/** NIP-17's relay list for receiving private messages. */
export const KIND_DM_RELAYS = 10050;
/** The gateway takes at most this much text per message (src/protocol/bridge.ts). */
const MAX_TEXT_CHARS = 100_000;

export type DmProtocol = "nip17" | "nip04";

export type OpenedEvent =
  | {
      kind: "message";
      protocol: DmProtocol;
      message: BridgeInboundMessage;
      /** When the sender wrote it (the rumor's real time for NIP-17; wraps are back-dated). */
      writtenAt: number;
    }
  /** Genuine but not for the agent (its own messages, group chats, other kinds). */
  | { kind: "ignored"; reason: string }
  /** Forged, malformed or undecryptable: dropped and logged, never passed on. */
  | { kind: "rejected"; reason: string };

/** Checks the event's shape, its id (the hash of its content) and its signature. */
export function isAuthentic(event: unknown): event is NostrEvent {
  if (!validateEvent(event)) return false;
  const e = event as NostrEvent;
  if (typeof e.id !== "string" || typeof e.sig !== "string") return false;
  try {
    // A copy: nostr-tools remembers a verdict on the object, and a relay's object is not ours.
    return verifyEvent({ id: e.id, pubkey: e.pubkey, created_at: e.created_at, kind: e.kind, tags: e.tags, content: e.content, sig: e.sig });
  } catch {
    return false;
  }
}

const addressedTo = (event: NostrEvent, publicKey: string) => event.tags.some((t) => t[0] === "p" && t[1] === publicKey);

export function openEvent(event: unknown, secretKey: Uint8Array): OpenedEvent {
  if (!isAuthentic(event)) return { kind: "rejected", reason: "forged event: id or signature does not verify" };
  const self = getPublicKey(secretKey);
  if (!addressedTo(event, self)) return { kind: "ignored", reason: "not addressed to this key" };
  if (event.kind === KIND_LEGACY_DM) return openLegacy(event, secretKey, self);
  if (event.kind === KIND_GIFT_WRAP) return openGiftWrap(event, secretKey, self);
  return { kind: "ignored", reason: `kind ${event.kind} is not a direct message` };
}

function openLegacy(event: NostrEvent, secretKey: Uint8Array, self: string): OpenedEvent {
  if (event.pubkey === self) return { kind: "ignored", reason: "the bot's own message" };
  let text: string;
  try {
    text = nip04.decrypt(secretKey, event.pubkey, event.content);
  } catch {
    return { kind: "rejected", reason: "NIP-04 content does not decrypt" };
  }
  return message("nip04", event.pubkey, `nip04:${event.id}`, text, event.id, event.created_at);
}

function openGiftWrap(wrap: NostrEvent, secretKey: Uint8Array, self: string): OpenedEvent {
  let rumor: ReturnType<typeof unwrapEvent>;
  try {
    rumor = unwrapEvent(wrap, secretKey);
  } catch (err) {
    return { kind: "rejected", reason: `gift wrap does not open: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!validateEvent(rumor) || typeof rumor.id !== "string" || getEventHash(rumor) !== rumor.id)
    return { kind: "rejected", reason: "rumor id does not match its content" };
  if (rumor.pubkey === self) return { kind: "ignored", reason: "the bot's own message" };
  if (rumor.kind !== KIND_PRIVATE_MESSAGE) return { kind: "ignored", reason: `sealed kind ${rumor.kind} is not a chat message (kind 14)` };
  // NIP-17: the chat room is the set of the rumor's author and its p tags. Anyone else there means a group.
  const others = rumor.tags.filter((t) => t[0] === "p" && t[1] !== self && t[1] !== rumor.pubkey);
  if (others.length > 0) return { kind: "ignored", reason: "group chats are not answered" };
  if (!addressedTo(rumor as NostrEvent, self)) return { kind: "ignored", reason: "rumor not addressed to this key" };
  return message("nip17", rumor.pubkey, `nip17:${rumor.id}`, rumor.content, rumor.id, rumor.created_at);
}

function message(protocol: DmProtocol, sender: string, platformMessageId: string, text: string, eventId: string, writtenAt: number): OpenedEvent {
  if (text.length > MAX_TEXT_CHARS) return { kind: "rejected", reason: `message longer than ${MAX_TEXT_CHARS} characters` };
  return {
    kind: "message",
    protocol,
    writtenAt,
    message: { senderId: sender, senderName: npub(sender), platformMessageId, text, replyContext: { protocol, eventId } },
  };
}
