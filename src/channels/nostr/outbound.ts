/**
 * A reply → the Nostr event that carries it, in the protocol the person wrote in: NIP-17 for a
 * NIP-17 sender (a kind-14 rumor, sealed in kind 13, gift-wrapped in kind 1059 for the
 * recipient, all NIP-44), NIP-04 for a NIP-04 sender (kind 4). Either refers to the message it
 * answers with an `e` tag. And where NIP-17 says to deliver: the recipient's kind-10050 relays.
 */
import * as nip04 from "nostr-tools/nip04";
import { wrapEvent } from "nostr-tools/nip17";
import { finalizeEvent, type NostrEvent } from "nostr-tools/pure";
import { KIND_DM_RELAYS, KIND_LEGACY_DM, type DmProtocol } from "./inbound";
import { PUBLIC_KEY_HEX } from "./keys";

/** Relays of a recipient's list used at most; a list is the sender's to choose, not a fan-out amplifier. */
export const MAX_RECIPIENT_RELAYS = 5;
const EVENT_ID = /^[0-9a-f]{64}$/;

export interface ReplyToSend {
  recipient: string;
  text: string;
  replyContext?: Record<string, string>;
}

export type BuiltReply = { ok: true; protocol: DmProtocol; event: NostrEvent } | { ok: false; error: string };

export function buildReplyEvent(reply: ReplyToSend, secretKey: Uint8Array, nowSeconds = Math.floor(Date.now() / 1000)): BuiltReply {
  if (!PUBLIC_KEY_HEX.test(reply.recipient)) return { ok: false, error: "recipient is not a hex public key" };
  const protocol: DmProtocol = reply.replyContext?.protocol === "nip04" ? "nip04" : "nip17";
  const inReplyTo = reply.replyContext?.eventId;
  const replyTo = inReplyTo && EVENT_ID.test(inReplyTo) ? inReplyTo : undefined;
  if (protocol === "nip17") {
    return {
      ok: true,
      protocol,
      event: wrapEvent(secretKey, { publicKey: reply.recipient }, reply.text, undefined, replyTo ? { eventId: replyTo } : undefined),
    };
  }
  const tags = [["p", reply.recipient], ...(replyTo ? [["e", replyTo]] : [])];
  const content = nip04.encrypt(secretKey, reply.recipient, reply.text);
  return { ok: true, protocol, event: finalizeEvent({ kind: KIND_LEGACY_DM, created_at: nowSeconds, tags, content }, secretKey) };
}

/** The `relay` tags of a kind-10050 list (NIP-17), ws(s) URLs only, at most MAX_RECIPIENT_RELAYS. */
export function dmRelaysOf(list: NostrEvent | null): string[] {
  if (!list || list.kind !== KIND_DM_RELAYS) return [];
  const urls: string[] = [];
  for (const tag of list.tags) {
    if (tag[0] !== "relay" || typeof tag[1] !== "string") continue;
    try {
      const url = new URL(tag[1]);
      if ((url.protocol === "wss:" || url.protocol === "ws:") && !urls.includes(url.href)) urls.push(url.href);
    } catch {
      // not a URL: skipped
    }
  }
  return urls.slice(0, MAX_RECIPIENT_RELAYS);
}
