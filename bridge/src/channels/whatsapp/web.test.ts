/**
 * The bridge's WhatsApp Web channel: Baileys' recorded message shapes through the
 * normalisation (DMs, images, groups only when mentioned, own and status messages dropped),
 * and the connection logic against a fake socket with Baileys' real on-disk auth state: QR
 * login reported with the QR string, the session surviving a restart, and each disconnect
 * reason handled (logged out → needs_login and no reconnect, replaced → failed, drops → reconnect).
 */
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Boom } from "@hapi/boom";
import { type AuthenticationState, DisconnectReason, useMultiFileAuthState, type WAMessage } from "baileys";
import { describe, expect, it } from "vitest";
import type { ChannelHost, RunningChannel } from "../shared/types";
import type { InboundFile } from "../../inbound-outbox";
import { createWhatsAppWebChannel, type WhatsAppContent, type WhatsAppSocket } from "./web";
import { normalizeWhatsAppMessage } from "./web-messages";
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";
import dmImage from "./fixtures/dm-image.json";
import dmVoice from "./fixtures/dm-voice.json";
import dmDocument from "./fixtures/dm-document.json";
import dmText from "./fixtures/dm-text.json";
import fromMe from "./fixtures/from-me.json";
import groupMention from "./fixtures/group-mention.json";
import groupNoMention from "./fixtures/group-no-mention.json";
import reaction from "./fixtures/reaction.json";
import statusBroadcast from "./fixtures/status-broadcast.json";
import { waitFor } from "../../../../test/support/gateway-process";

const SELF = { id: "15559990000:12@s.whatsapp.net", lid: "99887766554433:12@lid" };
const QR = "2@Xk3vLq9fakeRef0001,Tm9pc2UtcHViLWtleS1mYWtl,SWRlbnRpdHktcHViLWZha2U=,QWR2LXNlY3JldC1mYWtl";
const asMessage = (m: unknown) => m as WAMessage;
const normalize = (m: unknown, groups = true) => normalizeWhatsAppMessage(asMessage(m), { self: SELF, groups });

describe("WhatsApp Web messages", () => {
  it("turns a DM into a conversation keyed by the sender's phone number, quoting context kept", () => {
    expect(normalize(dmText)).toEqual({
      senderId: "15551230001@s.whatsapp.net",
      senderName: "Ada",
      conversationId: "215678901234567@lid",
      platformMessageId: "wa:215678901234567@lid:215678901234567@lid:3EB0C431C26A1916E07E",
      text: "What is on my calendar today?",
      replyContext: { chat: "215678901234567@lid", id: "3EB0C431C26A1916E07E", quotedText: "What is on my calendar today?" },
    });
  });

  it("takes an image's caption as the text and describes the image", () => {
    expect(normalize(dmImage)).toMatchObject({
      senderId: "15551230001@s.whatsapp.net",
      text: "What plant is this?",
      attachments: [{ type: "image/jpeg", size: 48213 }],
    });
  });

  it("describes a voice note with its length, and a captioned document with its name", () => {
    expect(normalize(dmVoice)).toMatchObject({
      text: "",
      attachments: [{ type: "audio/ogg; codecs=opus", voice: true, durationSeconds: 4, size: 9213 }],
      replyContext: { quotedText: "🎤 Voice message" },
    });
    expect(normalize(dmDocument)).toMatchObject({
      text: "Is this total right?",
      attachments: [{ type: "application/pdf", name: "invoice-0042.pdf", size: 183204 }],
    });
    const video = { ...dmImage, message: { videoMessage: { mimetype: "video/mp4", fileLength: "5242880", seconds: 12 } } };
    expect(normalize(video)).toMatchObject({ text: "", attachments: [{ type: "video/mp4", name: "video", size: 5242880 }] });
  });

  it("answers in a group only when the bot is mentioned (by its LID), without the mention", () => {
    expect(normalize(groupMention)).toMatchObject({
      senderId: "15551230002@s.whatsapp.net",
      conversationId: "120363163341782618@g.us",
      text: "summarize what we decided",
      replyContext: { chat: "120363163341782618@g.us", participant: "252100000000522@lid" },
    });
    expect(normalize(groupNoMention)).toBeNull();
    expect(normalize(groupMention, false)).toBeNull();
  });

  it("drops its own messages, status broadcasts and reactions", () => {
    expect(normalize(fromMe)).toBeNull();
    expect(normalize(statusBroadcast)).toBeNull();
    expect(normalize(reaction)).toBeNull();
  });
});

class FakeSocket extends EventEmitter {
  /** Baileys' socket exposes its events as `ev`; here the fake is its own emitter. */
  readonly ev: EventEmitter = this;
  user?: { id: string; lid?: string };
  sent: { jid: string; text?: string; content: WhatsAppContent; quoted?: WAMessage }[] = [];
  /** Chat states sent, in order with the messages (`"composing" → jid`, `"message → jid"`, `"paused" → jid`). */
  chatStates: string[] = [];
  ended = false;
  constructor(readonly auth: AuthenticationState) {
    super();
  }
  async sendMessage(jid: string, content: WhatsAppContent, options?: { quoted?: WAMessage }) {
    this.sent.push({ jid, ...("text" in content ? { text: content.text } : {}), content, quoted: options?.quoted });
    this.chatStates.push(`message ${jid}`);
    return {};
  }
  /** Baileys decodes the jid first (jidDecode): without one it throws, as here. */
  async sendPresenceUpdate(type: string, toJid: string) {
    if (!toJid?.includes("@")) throw new TypeError("Cannot destructure property 'server' of 'jidDecode(...)' as it is undefined.");
    this.chatStates.push(`${type} ${toJid}`);
  }
  end() {
    this.ended = true;
  }
  /** Baileys' close: a Boom carrying the disconnect reason as its status code. */
  close(code: number) {
    this.emit("connection.update", { connection: "close", lastDisconnect: { error: new Boom("Connection Failure", { statusCode: code }), date: new Date() } });
  }
  openAs(self = SELF) {
    this.user = self;
    this.emit("connection.update", { connection: "open" });
  }
}

function harness(dataDir = mkdtempSync(join(tmpdir(), "wa-web-"))) {
  const sockets: FakeSocket[] = [];
  const states: { state: string; reason?: string; detail?: string }[] = [];
  const received: BridgeInboundMessage[] = [];
  const files: (InboundFile[] | undefined)[] = [];
  /** The decrypted media the fake "downloads", by message id; a missing one fails like an expired URL. */
  const media = new Map<string, Uint8Array>();
  const downloads: string[] = [];
  const host: ChannelHost = {
    receive: (m, f) => {
      received.push(m);
      files.push(f);
    },
    state: (state, reason, detail) => states.push({ state, reason, detail }),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    dataDir,
  };
  const channel = createWhatsAppWebChannel({
    loadAuth: (folder) => useMultiFileAuthState(folder),
    openSocket: (auth) => {
      const s = new FakeSocket(auth);
      sockets.push(s);
      return s as unknown as WhatsAppSocket;
    },
    downloadMedia: async (_socket, msg) => {
      downloads.push(msg.key.id ?? "");
      const bytes = media.get(msg.key.id ?? "");
      if (!bytes) throw new Error("Failed to fetch stream from https://mmg.whatsapp.net/...: 410");
      // In chunks, as a decrypting stream yields them.
      return (async function* () {
        for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
      })();
    },
  });
  const start = (): RunningChannel => channel.start({ id: "ch_wa", type: "whatsapp-web", name: "wa", config: { bridgeId: "brg_x" } }, host);
  const socket = async (n: number) => {
    await waitFor(async () => sockets.length >= n, 5000, `socket ${n}`);
    return sockets[n - 1]!;
  };
  return { sockets, states, received, files, media, downloads, start, socket, dataDir };
}

describe("WhatsApp Web connection", () => {
  it("reports the QR for login, saves the session, and logs straight back in after a restart", async () => {
    const h = harness();
    const running = h.start();
    const first = await h.socket(1);
    expect(first.auth.creds.registered).toBe(false);
    first.emit("connection.update", { qr: QR });
    expect(h.states.at(-1)).toMatchObject({ state: "needs_login", detail: QR });

    // The phone scanned the code: Baileys fills in the account and asks for the creds to be saved.
    first.auth.creds.me = { id: SELF.id, lid: SELF.lid };
    first.auth.creds.registered = true;
    first.emit("creds.update", { me: first.auth.creds.me });
    first.close(DisconnectReason.restartRequired);
    const second = await h.socket(2);
    second.openAs();
    expect(h.states.at(-1)).toEqual({ state: "connected", reason: undefined, detail: undefined });
    await running.stop();

    // A new bridge process: the session comes from disk, no QR needed.
    const again = harness(h.dataDir);
    const restarted = again.start();
    const socket = await again.socket(1);
    expect(socket.auth.creds.me?.id).toBe(SELF.id);
    expect(socket.auth.creds.registered).toBe(true);
    socket.openAs();
    expect(again.states.map((s) => s.state)).toEqual(["connecting", "connected"]);

    socket.emit("messages.upsert", { type: "append", messages: [dmText] });
    socket.emit("messages.upsert", { type: "notify", messages: [dmText, fromMe, groupMention] });
    expect(again.received.map((m) => m.text)).toEqual(["What is on my calendar today?", "summarize what we decided"]);

    // Replies go to the chat and quote the message they answer.
    const [dm] = again.received;
    expect(
      await restarted.send({
        id: "r1",
        channelId: "ch_wa",
        recipient: dm!.senderId,
        conversationId: dm!.conversationId,
        text: "Two meetings.",
        replyContext: dm!.replyContext,
      }),
    ).toEqual({ ok: true });
    expect(socket.sent[0]).toMatchObject({
      jid: "215678901234567@lid",
      text: "Two meetings.",
      quoted: {
        key: { remoteJid: "215678901234567@lid", id: "3EB0C431C26A1916E07E", fromMe: false },
        message: { conversation: "What is on my calendar today?" },
      },
    });

    // Files the agent sends: a PNG as a picture, anything else as a document with its name, quoting too.
    const fileReply = {
      id: "r2",
      channelId: "ch_wa",
      recipient: dm!.senderId,
      conversationId: dm!.conversationId,
      text: "(line)",
      replyContext: dm!.replyContext,
    };
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const csv = Uint8Array.from(Buffer.from("a,b\n1,2\n"));
    expect(await restarted.sendFile!(fileReply, { name: "chart.png", mediaType: "image/png", bytes: png })).toEqual({ ok: true });
    expect(await restarted.sendFile!({ ...fileReply, id: "r3" }, { name: "totals.csv", mediaType: "text/plain", bytes: csv })).toEqual({ ok: true });
    expect(socket.sent[1]).toMatchObject({
      jid: "215678901234567@lid",
      content: { image: Buffer.from(png), mimetype: "image/png" },
      quoted: { key: { id: "3EB0C431C26A1916E07E" } },
    });
    expect(socket.sent[2]?.content).toEqual({ document: Buffer.from(csv), mimetype: "text/plain", fileName: "totals.csv" });
    await restarted.stop();
  });

  it("on loggedOut asks for a new login, deletes the dead session and does not reconnect", async () => {
    const h = harness();
    const running = h.start();
    const socket = await h.socket(1);
    socket.openAs();
    socket.emit("creds.update", {});
    await waitFor(async () => existsSync(join(h.dataDir, "auth", "creds.json")), 5000, "session saved");
    socket.close(DisconnectReason.loggedOut);
    expect(h.states.at(-1)).toMatchObject({ state: "needs_login", reason: expect.stringMatching(/logged this device out/) });
    expect(existsSync(join(h.dataDir, "auth"))).toBe(false);
    // Longer than any first reconnect delay (backoff base 1 s, full jitter): a reconnect would be here by now.
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.sockets).toHaveLength(1);
    expect(await running.send({ id: "r", channelId: "ch_wa", recipient: "x@s.whatsapp.net", text: "hi" })).toMatchObject({ ok: false, retryable: true });
    await running.stop();
  });

  it("fails without reconnecting when another session replaces it, and reconnects after a dropped connection", async () => {
    const h = harness();
    const running = h.start();
    const first = await h.socket(1);
    first.openAs();
    first.close(DisconnectReason.connectionLost);
    expect(h.states.at(-1)).toMatchObject({ state: "connecting", reason: expect.stringMatching(/reconnecting/) });
    const second = await h.socket(2);
    second.openAs();
    expect(h.states.at(-1)?.state).toBe("connected");
    second.close(DisconnectReason.connectionReplaced);
    expect(h.states.at(-1)).toMatchObject({ state: "failed", reason: expect.stringMatching(/replaced/) });
    // Longer than any first reconnect delay (backoff base 1 s, full jitter): a reconnect would be here by now.
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.sockets).toHaveLength(2);
    await running.stop();
  });

  it("shows typing (composing) in the chat when a message arrives and pauses it once the reply is sent", async () => {
    const h = harness();
    const running = h.start();
    const socket = await h.socket(1);
    socket.openAs();
    socket.emit("messages.upsert", { type: "notify", messages: [dmText] });
    const [dm] = h.received;
    const chat = dm!.conversationId!;
    await waitFor(async () => socket.chatStates.length === 1, 5000, "composing sent");
    expect(socket.chatStates).toEqual([`composing ${chat}`]);
    expect(await running.send({ id: "r1", channelId: "ch_wa", recipient: dm!.senderId, conversationId: chat, text: "Two meetings." })).toEqual({ ok: true });
    await waitFor(async () => socket.chatStates.length === 3, 5000, "paused sent");
    expect(socket.chatStates).toEqual([`composing ${chat}`, `message ${chat}`, `paused ${chat}`]);
    // A second delivery to the chat (a file after the text) sends no second "paused".
    await running.send({ id: "r2", channelId: "ch_wa", recipient: dm!.senderId, conversationId: chat, text: "And a call." });
    expect(socket.chatStates.at(-1)).toBe(`message ${chat}`);
    await running.stop();
  });

  it("stops offering QR codes after three unscanned rounds", async () => {
    const h = harness();
    const running = h.start();
    for (let round = 1; round <= 3; round++) {
      const s = await h.socket(round);
      s.emit("connection.update", { qr: `${QR}-${round}` });
      s.close(DisconnectReason.timedOut);
    }
    await waitFor(async () => /no QR code was scanned/.test(h.states.at(-1)?.reason ?? ""), 5000, "the QR rounds given up");
    expect(h.states.at(-1)).toMatchObject({ state: "needs_login", reason: expect.stringMatching(/no QR code was scanned/) });
    expect(h.sockets).toHaveLength(3);
    await running.stop();
  });
});

describe("WhatsApp Web media", () => {
  const PHOTO = new Uint8Array(48213).fill(7);

  it("downloads and hands over the file of a photo, a voice note and a document with the message", async () => {
    const h = harness();
    const running = h.start();
    const socket = await h.socket(1);
    socket.openAs();
    h.media.set(dmImage.key.id, PHOTO);
    h.media.set(dmVoice.key.id, new Uint8Array(9213).fill(3));
    h.media.set(dmDocument.key.id, new Uint8Array(183204).fill(5));
    socket.emit("messages.upsert", { type: "notify", messages: [asMessage(dmImage), asMessage(dmVoice), asMessage(dmDocument)] });
    await waitFor(async () => h.received.length === 3, 5000, "three messages");
    const byText = (i: number) => ({ attachment: h.received[i]!.attachments?.[0], files: h.files[i] });
    const got = [0, 1, 2].map(byText).sort((a, b) => (a.attachment!.type < b.attachment!.type ? -1 : 1));
    expect(got.map((g) => [g.attachment!.type, g.files?.[0]?.bytes.byteLength])).toEqual([
      ["application/pdf", 183204],
      ["audio/ogg; codecs=opus", 9213],
      ["image/jpeg", 48213],
    ]);
    expect(got[2]!.files).toEqual([{ index: 0, bytes: PHOTO }]);
    await running.stop();
  });

  it("does not download what is over the limit or not read by the model, and keeps a message whose download failed", async () => {
    const h = harness();
    const running = h.start();
    const socket = await h.socket(1);
    socket.openAs();
    const huge = {
      ...dmImage,
      key: { ...dmImage.key, id: "3EB0HUGE0000000000001" },
      message: { imageMessage: { ...dmImage.message.imageMessage, fileLength: "6291456" } },
    };
    const video = { ...dmImage, key: { ...dmImage.key, id: "3EB0VIDEO00000000001" }, message: { videoMessage: { mimetype: "video/mp4", fileLength: "1000" } } };
    // Declared small, but the stream runs past the 5 MB picture limit: cut off.
    const liar = { ...dmImage, key: { ...dmImage.key, id: "3EB0LIAR000000000001" } };
    h.media.set(liar.key.id, new Uint8Array(5 * 1024 * 1024 + 1));
    const expired = { ...dmImage, key: { ...dmImage.key, id: "3EB0GONE000000000001" } };
    socket.emit("messages.upsert", { type: "notify", messages: [huge, video, liar, expired].map(asMessage) });
    await waitFor(async () => h.received.length === 4, 5000, "four messages");
    expect(h.downloads.sort()).toEqual([expired.key.id, liar.key.id].sort());
    // Every one still reaches the gateway, described: it refuses the huge one and names the others.
    expect(h.files.every((f) => !f?.length)).toBe(true);
    expect(h.received.find((m) => m.platformMessageId.endsWith(huge.key.id))?.attachments).toEqual([{ type: "image/jpeg", size: 6291456 }]);
    await running.stop();
  });
});
