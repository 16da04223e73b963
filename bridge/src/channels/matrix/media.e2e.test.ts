/**
 * Matrix media end to end (docs/media.md): the gateway (`npm start`, with the fake Messages
 * API as its model), the bridge and the fake homeserver as processes, Alice a real
 * matrix-js-sdk client with the Rust crypto. Alice sends a photo in an encrypted direct message
 * as Element does (the file AES-CTR encrypted, uploaded, its key and SHA-256 in the encrypted
 * event): the bridge downloads it from the authenticated media endpoint with the bot's token,
 * checks and decrypts it, uploads it to POST /bridge/media, and the model gets it as an image
 * block, byte for byte. A picture whose declared size is over the limit is refused with the
 * clear reply, without a download and without a model call.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MatrixClient, type MatrixEvent, MsgType } from "matrix-js-sdk";
import type { RoomMessageEventContent } from "matrix-js-sdk/lib/@types/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../../test/fakes/anthropic-messages";
import type { BridgeProcess } from "../../../../test/support/bridge-process";
import { waitFor } from "../../../../test/support/gateway-process";
import { type MatrixE2eParts, openEncryptedDm, startMatrixE2e, stopMatrixE2e } from "../../../../test/support/matrix-e2e";
import type { MatrixHomeserver } from "../../../../test/support/matrix-homeserver";
import { encryptAttachment } from "./media";

const PORT = 10510;
const HOMESERVER_PORT = 10511;
const KEY = "sk-ant-e2e-matrix-media-7c2a";
const BOT_TOKEN = "syt_bG9vcGJvdA_mediabottoken01";
const ALICE_TOKEN = "syt_YWxpY2U_mediaalicetoken1";
const PHOTO = readFileSync(new URL("../../../../src/channels/telegram/fixtures/photo.jpg", import.meta.url));

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };

describe("Matrix media through the bridge", () => {
  let hs: MatrixHomeserver;
  let bridge: BridgeProcess;
  let model: FakeAnthropic;
  let alice: MatrixClient;
  let botId: string;
  let dmRoom: string;
  /** The bot's messages as Alice sees them: each one's text after its latest edit (replies stream, docs/streaming.md). */
  const fromBot: { eventId: string; text: string }[] = [];
  const parts: MatrixE2eParts = {
    logNames: { bridge: "bridge-matrix-media.log", gateway: "gateway-matrix-media.log" },
    clients: [],
    dataDir: mkdtempSync(join(tmpdir(), "loopgate-bridge-matrix-media-")),
  };

  const record = (event: MatrixEvent) => {
    if (event.getSender() !== botId || event.getType() !== "m.room.message" || event.isDecryptionFailure()) return;
    const content = event.getOriginalContent();
    const relation = event.getRelation();
    const edited = relation?.rel_type === "m.replace" ? fromBot.find((m) => m.eventId === relation.event_id) : undefined;
    const newBody = (content["m.new_content"] as { body?: unknown } | undefined)?.body;
    if (edited && typeof newBody === "string") edited.text = newBody;
    else if (!relation || relation.rel_type !== "m.replace") {
      if (typeof content.body === "string" && !fromBot.some((m) => m.eventId === event.getId()))
        fromBot.push({ eventId: event.getId() ?? "", text: content.body });
    }
  };
  /** The bot's one message in answer, once it shows the finished reply. */
  const nextReply = async (sent: () => Promise<unknown>, finished: RegExp) => {
    const before = fromBot.length;
    await sent();
    await waitFor(async () => finished.test(fromBot[before]?.text ?? ""), 60_000, "the bot's finished reply");
    expect(fromBot).toHaveLength(before + 1);
    return fromBot[before]!.text;
  };
  const lastUserBlocks = () => (model.answered().at(-1)!.body.messages as { content: Block[] | string }[]).at(-1)!.content as Block[];

  beforeAll(async () => {
    model = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
    parts.model = model;
    const e2e = await startMatrixE2e(
      {
        port: PORT,
        homeserverPort: HOMESERVER_PORT,
        botToken: BOT_TOKEN,
        aliceToken: ALICE_TOKEN,
        bridgeName: "matrix-media",
        model: { url: model.url, apiKey: KEY },
        record,
      },
      parts,
    );
    ({ hs, alice, botId, bridge } = e2e);
    dmRoom = await openEncryptedDm(e2e);
  });

  afterAll(() => stopMatrixE2e(parts));

  it("shows a photo from an encrypted room to the model as an image block", async () => {
    const { ciphertext, file } = await encryptAttachment(new Uint8Array(PHOTO), "");
    const mxc = hs.addMedia(ciphertext, "application/octet-stream");
    const content = {
      msgtype: MsgType.Image,
      body: "what colour is this jacket?",
      filename: "jacket.jpg",
      info: { mimetype: "image/jpeg", size: PHOTO.byteLength, w: 48, h: 32 },
      file: { ...file, url: mxc },
    };
    const reply = await nextReply(() => alice.sendMessage(dmRoom, content as unknown as RoomMessageEventContent), /I see 1 image \(image\/jpeg 48x32\)/);
    expect(reply).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(lastUserBlocks().some((b) => b.type === "text" && b.text?.includes("what colour is this jacket?"))).toBe(true);
    // Fetched by the bridge from the authenticated endpoint, with the bot's token.
    const mediaId = mxc.split("/").at(-1)!;
    expect(hs.calls).toContainEqual({ method: "GET", path: `/_matrix/client/v1/media/download/fake.test/${mediaId}`, status: 200 });
    expect(bridge.logs("attachments handed to the gateway").length).toBeGreaterThan(0);
    // The homeserver saw ciphertext only: the event encrypted, the file's bytes not the photo's.
    const stored = hs.events(dmRoom).filter((e) => e.type === "m.room.message" || e.type === "m.room.encrypted");
    expect(stored.every((e) => e.type === "m.room.encrypted")).toBe(true);
    expect(JSON.stringify(stored)).not.toContain("jacket");
    expect(Buffer.from(ciphertext).equals(PHOTO)).toBe(false);
  });

  it("refuses a picture over the limit from its declared size, without downloading it or calling the model", async () => {
    const mxc = hs.addMedia(new Uint8Array(16), "image/png");
    const calls = model.answered().length;
    const content = { msgtype: MsgType.Image, body: "huge.png", url: mxc, info: { mimetype: "image/png", size: 6 * 1024 * 1024 } };
    const reply = await nextReply(() => alice.sendMessage(dmRoom, content as unknown as RoomMessageEventContent), /Nothing was sent to the assistant/);
    expect(reply).toBe('I could not take that message: "huge.png" is 6 MB; pictures can be at most 5 MB. Nothing was sent to the assistant.');
    expect(model.answered().length).toBe(calls);
    expect(hs.calls.some((c) => c.path.endsWith(mxc.split("/").at(-1)!))).toBe(false);
  });
});
