/**
 * The Nostr channel's protocol steps without relays: what arrives is verified before it is
 * opened, NIP-17 and NIP-04 messages open to the sender's text, and replies open on the
 * recipient's side in the protocol the sender used.
 */
import { describe, expect, it } from "vitest";
import * as nip04 from "nostr-tools/nip04";
import { wrapEvent, unwrapEvent } from "nostr-tools/nip17";
import { createRumor, createSeal, createWrap } from "nostr-tools/nip59";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { bytesToHex, hexToBytes } from "nostr-tools/utils";
import { nsecEncode } from "nostr-tools/nip19";
import { nostrConfigSchema } from ".";
import { openEvent } from "./inbound";
import { parseSecretKey } from "./keys";
import { buildReplyEvent, dmRelaysOf } from "./outbound";

const bot = generateSecretKey();
const botPub = getPublicKey(bot);
const alice = generateSecretKey();
const alicePub = getPublicKey(alice);
const now = () => Math.floor(Date.now() / 1000);

describe("Nostr inbound", () => {
  it("opens a NIP-17 gift wrap to the sender's text, keyed by the rumor id", () => {
    const wrap = wrapEvent(alice, { publicKey: botPub }, "hello bot");
    const opened = openEvent(wrap, bot);
    expect(opened).toMatchObject({ kind: "message", protocol: "nip17", message: { senderId: alicePub, text: "hello bot" } });
    const rumor = unwrapEvent(wrap, bot);
    if (opened.kind !== "message") throw new Error("not a message");
    expect(opened.message.platformMessageId).toBe(`nip17:${rumor.id}`);
    expect(opened.message.replyContext).toEqual({ protocol: "nip17", eventId: rumor.id });
  });

  it("opens a NIP-04 message", () => {
    const event = finalizeEvent({ kind: 4, created_at: now(), tags: [["p", botPub]], content: nip04.encrypt(alice, botPub, "old client") }, alice);
    expect(openEvent(event, bot)).toMatchObject({
      kind: "message",
      protocol: "nip04",
      message: { senderId: alicePub, text: "old client", platformMessageId: `nip04:${event.id}` },
    });
  });

  it("refuses a forged event before opening it: changed content, or a signature by another key", () => {
    const event = finalizeEvent({ kind: 4, created_at: now(), tags: [["p", botPub]], content: nip04.encrypt(alice, botPub, "genuine") }, alice);
    const tampered = { ...event, content: nip04.encrypt(alice, botPub, "tampered") };
    expect(openEvent(tampered, bot)).toMatchObject({ kind: "rejected", reason: expect.stringContaining("forged") });
    const mallory = generateSecretKey();
    const resigned = finalizeEvent({ kind: 4, created_at: event.created_at, tags: event.tags, content: event.content }, mallory);
    expect(openEvent({ ...resigned, pubkey: alicePub }, bot)).toMatchObject({ kind: "rejected" });
    expect(openEvent({ ...event, sig: "00".repeat(64) }, bot)).toMatchObject({ kind: "rejected" });
    expect(openEvent({ kind: 4 }, bot)).toMatchObject({ kind: "rejected" });
  });

  it("refuses a seal whose author is not the rumor's (someone speaking for Alice)", () => {
    const mallory = generateSecretKey();
    const rumor = createRumor({ kind: 14, content: "I am Alice", tags: [["p", botPub]] }, alice);
    const wrap = createWrap(createSeal(rumor, mallory, botPub), botPub);
    expect(openEvent(wrap, bot)).toMatchObject({ kind: "rejected", reason: expect.stringContaining("does not match") });
  });

  it("refuses a rumor whose id is not the hash of its content", () => {
    const rumor = { ...createRumor({ kind: 14, content: "hi", tags: [["p", botPub]] }, alice), id: "ab".repeat(32) };
    expect(openEvent(createWrap(createSeal(rumor, alice, botPub), botPub), bot)).toMatchObject({
      kind: "rejected",
      reason: expect.stringContaining("rumor id"),
    });
  });

  it("ignores group chats, the bot's own copies, and events for someone else", () => {
    const carol = getPublicKey(generateSecretKey());
    const group = createWrap(
      createSeal(
        createRumor(
          {
            kind: 14,
            content: "hi all",
            tags: [
              ["p", botPub],
              ["p", carol],
            ],
          },
          alice,
        ),
        alice,
        botPub,
      ),
      botPub,
    );
    expect(openEvent(group, bot)).toMatchObject({ kind: "ignored", reason: expect.stringContaining("group") });
    const own = createWrap(createSeal(createRumor({ kind: 14, content: "my reply", tags: [["p", alicePub]] }, bot), bot, botPub), botPub);
    expect(openEvent(own, bot)).toMatchObject({ kind: "ignored" });
    expect(openEvent(wrapEvent(alice, { publicKey: carol }, "not for the bot"), bot)).toMatchObject({ kind: "ignored" });
  });
});

describe("Nostr replies", () => {
  it("answers a NIP-17 sender with a gift wrap only the recipient opens, replying to the message", () => {
    const built = buildReplyEvent({ recipient: alicePub, text: "hi Alice", replyContext: { protocol: "nip17", eventId: "cd".repeat(32) } }, bot);
    if (!built.ok) throw new Error(built.error);
    expect(built.event.kind).toBe(1059);
    expect(built.event.pubkey).not.toBe(botPub);
    expect(built.event.tags).toEqual([["p", alicePub]]);
    const rumor = unwrapEvent(built.event, alice);
    expect(rumor).toMatchObject({ kind: 14, pubkey: botPub, content: "hi Alice" });
    expect(rumor.tags).toContainEqual(["e", "cd".repeat(32), "", "reply"]);
    expect(() => unwrapEvent(built.event, generateSecretKey())).toThrow();
  });

  it("answers a NIP-04 sender with kind 4", () => {
    const built = buildReplyEvent({ recipient: alicePub, text: "hi old client", replyContext: { protocol: "nip04", eventId: "ef".repeat(32) } }, bot);
    if (!built.ok) throw new Error(built.error);
    expect(built.event).toMatchObject({
      kind: 4,
      pubkey: botPub,
      tags: [
        ["p", alicePub],
        ["e", "ef".repeat(32)],
      ],
    });
    expect(nip04.decrypt(alice, botPub, built.event.content)).toBe("hi old client");
    expect(buildReplyEvent({ recipient: "npub-not-hex", text: "x" }, bot)).toMatchObject({ ok: false });
  });

  it("reads a kind-10050 relay list, ws(s) URLs only", () => {
    const list = finalizeEvent(
      {
        kind: 10050,
        created_at: now(),
        content: "",
        tags: [
          ["relay", "wss://inbox.example"],
          ["relay", "https://no"],
          ["r", "wss://other"],
          ["relay", "wss://inbox.example"],
        ],
      },
      alice,
    );
    expect(dmRelaysOf(list)).toEqual(["wss://inbox.example/"]);
    expect(dmRelaysOf(null)).toEqual([]);
  });
});

describe("Nostr config", () => {
  it("takes the key as nsec or hex, refuses anything else, and describes every field for the dashboard form", () => {
    expect(parseSecretKey(nsecEncode(bot))).toEqual(bot);
    expect(parseSecretKey(bytesToHex(bot))).toEqual(bot);
    expect(parseSecretKey("00".repeat(32))).toBeNull();
    expect(parseSecretKey("ff".repeat(32))).toBeNull();
    expect(parseSecretKey(`npub${bytesToHex(bot)}`)).toBeNull();
    // The range check agrees with the curve code at the edges: n - 1 is a key, n is not.
    const lastKey = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140";
    const order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    expect(getPublicKey(parseSecretKey(lastKey) ?? new Uint8Array())).toMatch(/^[0-9a-f]{64}$/);
    expect(parseSecretKey(order)).toBeNull();
    expect(() => getPublicKey(hexToBytes(order))).toThrow();
    expect(parseSecretKey(nsecEncode(hexToBytes("00".repeat(31) + "01")))).toEqual(hexToBytes("00".repeat(31) + "01"));
    const base = { bridgeId: "brg_abc", relays: ["wss://relay.example"] };
    expect(nostrConfigSchema.safeParse({ ...base, secretKey: nsecEncode(bot) }).success).toBe(true);
    expect(nostrConfigSchema.safeParse({ ...base, secretKey: "nope" }).success).toBe(false);
    expect(nostrConfigSchema.safeParse({ ...base, secretKey: bytesToHex(bot), relays: ["https://relay.example"] }).success).toBe(false);
    for (const [name, field] of Object.entries(nostrConfigSchema.shape)) expect(field.description, name).toBeTruthy();
  });
});
