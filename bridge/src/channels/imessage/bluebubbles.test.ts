/**
 * The bridge's iMessage channel in-process against a fake BlueBubbles server on 127.0.0.1:
 * on Linux it refuses with the reason; with the platform set to macOS it reads new messages
 * through the message query, answers with /message/text, survives a restart without losing or
 * repeating a message, fails once on a wrong password, and downloads the pictures and voice
 * messages the model reads (as BlueBubbles converts them), within the limits.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createIMessageChannel } from "./bluebubbles";
import { type BlueBubblesFake, createBlueBubblesFake } from "../../../../src/channels/imessage/fake-bluebubbles";
import { serveFake } from "../../../../test/fakes/http-fake-server";
import { waitFor } from "../../../../test/support/gateway-process";
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";
import type { ChannelHost, RunningChannel } from "../shared/types";
import type { InboundFile } from "../../inbound-outbox";

const PASSWORD = "bluebubbles-server-password";
const mac = createIMessageChannel({ platform: "darwin", pollIntervalMs: 100 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingHost(dataDir: string) {
  const states: { state: string; reason?: string }[] = [];
  const received: BridgeInboundMessage[] = [];
  const files: InboundFile[][] = [];
  const host: ChannelHost = {
    receive: (m, f = []) => {
      received.push(m);
      files.push(f);
    },
    state: (state, reason) => states.push({ state, reason }),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    dataDir,
  };
  return { host, states, received, files };
}

describe("bridge iMessage channel (BlueBubbles)", () => {
  let fake: BlueBubblesFake;
  /** Waits until the channel has queried the Mac `times` more times: what those polls would take in, they have. */
  async function polledAgain(times: number) {
    const queries = () => fake.state.calls.filter((c) => c === "POST /message/query").length;
    const target = queries() + times;
    await waitFor(async () => queries() >= target, 5000, `${times} more polls`);
  }
  let server: Awaited<ReturnType<typeof serveFake>> | undefined;
  let running: RunningChannel | undefined;
  const dirs: string[] = [];
  const tempDir = () => {
    dirs.push(mkdtempSync(join(tmpdir(), "imessage-unit-")));
    return dirs.at(-1)!;
  };
  const dataDir = tempDir();
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (password = PASSWORD, dir = dataDir) => {
    const rec = recordingHost(dir);
    running = mac.start({ id: "ch_1", type: "imessage", name: "i", config: { bridgeId: "brg_x", serverUrl: server!.url, password } }, rec.host);
    return rec;
  };
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await server?.close();
    server = undefined;
  });

  it("refuses on Linux with the reason and how to run it on a Mac, without calling BlueBubbles", async () => {
    fake = createBlueBubblesFake({ password: PASSWORD });
    server = await serveFake(fake.handle);
    const { host, states } = recordingHost(tempDir());
    running = createIMessageChannel({ platform: "linux" }).start(
      { id: "ch_1", type: "imessage", name: "i", config: { bridgeId: "brg_x", serverUrl: server.url, password: PASSWORD } },
      host,
    );
    expect(states).toEqual([{ state: "failed", reason: expect.stringMatching(/needs a Mac signed in to Messages.*runs on linux.*npm run bridge/) }]);
    expect(await running.send({ id: "r1", channelId: "ch_1", recipient: "+15551234567", text: "hi" })).toMatchObject({ ok: false, retryable: false });
    expect(fake.state.calls).toEqual([]);
  });

  it("answers one-to-one chats, ignores its own messages, tapbacks and groups, and loses nothing across a restart", async () => {
    fake = createBlueBubblesFake({ password: PASSWORD });
    server = await serveFake(fake.handle);
    fake.receive("+15551234567", "history from before the channel existed");
    await sleep(5); // a later millisecond: the channel starts after this message, which is history to it
    let rec = await start();
    await waitFor(async () => rec.states.at(-1)?.state === "connected", 10_000, "connected");
    expect(fake.state.calls.slice(0, 2)).toEqual(["GET /ping", "POST /message/query"]);

    const dm = fake.receive("+15551234567", "hello from an iPhone");
    fake.receive("friend@icloud.com", "a group chat", "iMessage;+;chat493787");
    fake.receive("+15551234567", "", undefined, { associatedMessageGuid: `p:0/${dm.guid}`, text: "Loved “hello from an iPhone”" });
    await waitFor(async () => rec.received.length === 1, 5000, "the DM");
    expect(rec.received[0]).toEqual({
      senderId: "+15551234567",
      conversationId: "iMessage;-;+15551234567",
      platformMessageId: dm.guid,
      text: "hello from an iPhone",
    });

    expect(
      await running!.send({ id: "reply-1:0000", channelId: "ch_1", recipient: "+15551234567", conversationId: "iMessage;-;+15551234567", text: "hi back" }),
    ).toEqual({ ok: true });
    expect(fake.state.sent).toEqual([{ chatGuid: "iMessage;-;+15551234567", tempGuid: "reply-1:0000", message: "hi back", method: "apple-script" }]);
    fake.failNextSend(500, "Messages did not respond");
    expect(await running!.send({ id: "reply-2:0000", channelId: "ch_1", recipient: "+15551234567", text: "again" })).toMatchObject({
      ok: false,
      retryable: true,
    });
    await polledAgain(2);
    // The Mac's own reply shows up in the query as isFromMe and is not taken for a message.
    expect(rec.received).toHaveLength(1);

    await running!.stop();
    running = undefined;
    const whileDown = [fake.receive("+15551234567", "sent while the bridge was down"), fake.receive("+15557654321", "and another person")];
    rec = await start();
    await waitFor(async () => rec.received.length === 2, 5000, "the messages from while it was down");
    expect(rec.received.map((m) => m.platformMessageId)).toEqual(whileDown.map((m) => m.guid));
    await polledAgain(2);
    expect(rec.received).toHaveLength(2);
  });

  it("fails once with what to do when the password is wrong", async () => {
    fake = createBlueBubblesFake({ password: PASSWORD });
    server = await serveFake(fake.handle);
    const { states } = await start("not-the-password", tempDir());
    await waitFor(async () => states.some((s) => s.state === "failed"), 5000, "failed");
    expect(states.find((s) => s.state === "failed")?.reason).toMatch(/rejected the password.*Settings/);
    // Longer than any first retry delay (RETRY base 1 s, full jitter, at most 1 s): none came.
    await sleep(1100);
    expect(fake.state.calls).toEqual(["GET /ping"]);
  });

  it("downloads a HEIC photo as the JPEG BlueBubbles serves and a voice message as MP3; a picture over the limit is described with its size, not read", async () => {
    fake = createBlueBubblesFake({ password: PASSWORD });
    server = await serveFake(fake.handle);
    const rec = await start(PASSWORD, tempDir());
    await waitFor(async () => rec.states.at(-1)?.state === "connected", 10_000, "connected");
    const jpeg = new Uint8Array(readFileSync(new URL("../../../../src/channels/telegram/fixtures/photo.jpg", import.meta.url)));
    const mp3 = new Uint8Array([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0]);
    fake.receiveFiles("+15551234567", "\uFFFCwhat is this?", [
      {
        mimeType: "image/heic",
        uti: "public.heic",
        transferName: "IMG_4012.HEIC",
        bytes: new Uint8Array(900),
        served: { contentType: "image/jpeg", bytes: jpeg },
      },
      { mimeType: "application/zip", transferName: "notes.zip", bytes: new Uint8Array(50) },
    ]);
    fake.receiveFiles(
      "+15551234567",
      "",
      [
        {
          mimeType: null,
          uti: "com.apple.coreaudio-format",
          transferName: "Audio Message.caf",
          bytes: new Uint8Array(2000),
          served: { contentType: "audio/mp3", bytes: mp3 },
        },
      ],
      { isAudioMessage: true },
    );
    const big = new Uint8Array(6 * 1024 * 1024);
    fake.receiveFiles("+15551234567", "", [{ mimeType: "image/png", transferName: "scan.png", bytes: big }]);
    // Converted: the declared size is the HEIC's, so only the download's Content-Length can say it is too big.
    fake.receiveFiles("+15551234567", "", [
      {
        mimeType: "image/heic",
        uti: "public.heic",
        transferName: "IMG_4013.HEIC",
        bytes: new Uint8Array(10),
        served: { contentType: "image/jpeg", bytes: big },
      },
    ]);
    await waitFor(async () => rec.received.length === 4, 5000, "four messages");

    expect(rec.received[0]!.text).toBe("what is this?");
    expect(rec.received[0]!.attachments).toEqual([
      { type: "image/jpeg", name: "IMG_4012.HEIC", size: jpeg.byteLength },
      { type: "application/zip", name: "notes.zip", size: 50 },
    ]);
    expect(rec.files[0]).toEqual([{ index: 0, bytes: jpeg }]);
    expect(rec.received[1]!.attachments).toEqual([{ type: "audio/mpeg", name: "Audio Message.caf", size: mp3.byteLength, voice: true }]);
    expect(rec.files[1]).toEqual([{ index: 0, bytes: mp3 }]);
    expect(rec.received[2]!.attachments).toEqual([{ type: "image/png", name: "scan.png", size: big.byteLength }]);
    expect(rec.received[3]!.attachments).toEqual([{ type: "image/jpeg", name: "IMG_4013.HEIC", size: big.byteLength }]);
    expect(rec.files.slice(2)).toEqual([[], []]);
    const downloads = fake.state.calls.filter((c) => c.includes("/download"));
    // The zip is never fetched, nor the PNG declared over the limit; the converted one is asked for and cut off at its length.
    expect(downloads).toHaveLength(3);
  });
});
