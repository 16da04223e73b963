/**
 * Signal media end to end (docs/media.md): the gateway (`npm start`, the fake Messages API as
 * its model, the fake Workers AI for speech), the bridge as a process, and the fake signal-cli
 * daemon, which saves attachments in its attachments folder and describes them in the envelope
 * as signal-cli does. The bridge reads the files from that folder only, uploads them to
 * POST /bridge/media, and forwards the message with their references: the photo reaches the
 * model as an image block, the voice note (Signal's audio/aac) as its transcript, and a picture
 * over the limit gets the clear reply without an upload or a model call.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { setupAdmin, waitFor } from "../../../../test/support/gateway-process";
import { mediaGateway } from "../../../../test/support/media-gateway";
import { startFakeSignalCli } from "./fake-signal-cli";

const PORT = 10520;
const KEY = "sk-ant-e2e-signal-media-41b8";
const CF_ACCOUNT = "8899aabbccddeeff0011223344556677";
const CF_TOKEN = "cf-ai-token-signal-media";
const BOT = "+15550104242";
const ALICE = "+15550107777";
const PHOTO = readFileSync(new URL("../../../../src/channels/telegram/fixtures/photo.jpg", import.meta.url));
const VOICE = readFileSync(new URL("../../../../src/channels/telegram/fixtures/voice.oga", import.meta.url));
const SPOKEN = "Please move my appointment to Thursday morning.";

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };

describe("Signal media through the bridge", () => {
  const attachmentsDir = mkdtempSync(join(tmpdir(), "loopgate-signal-attachments-"));
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-signal-media-"));
  let signal: Awaited<ReturnType<typeof startFakeSignalCli>>;
  let bridge: BridgeProcess;
  const { platform, speech, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: CF_ACCOUNT, apiToken: CF_TOKEN },
    platform: async () => new Response("not found", { status: 404 }),
  });

  beforeAll(async () => {
    signal = await startFakeSignalCli(BOT, { attachmentsDir });
    const { api } = await setupAdmin(platform.gw);
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "signal-media" });
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "signal",
      name: "Signal",
      policy: "open",
      config: { bridgeId: created.body.bridge.id, account: BOT, daemon: signal.address },
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    bridge = startBridge({ url: platform.gw.url, token: created.body.token, dataDir, env: { SIGNAL_CLI_ATTACHMENTS_DIR: attachmentsDir } });
    const status = async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${ch.body.channel.id}`)).body.channel.status;
    await waitFor(async () => (await status()) === "connected", 60_000, "signal channel connected");
  });

  afterAll(async () => {
    await bridge?.stop();
    await signal?.close();
    rmSync(attachmentsDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const reply = async (message: Parameters<typeof signal.deliver>[0]) => {
    const before = signal.sent.length;
    signal.deliver(message);
    await waitFor(async () => signal.sent.length > before, 60_000, "the bot's reply on Signal");
    return signal.sent[before]!;
  };
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;

  it("shows a photo to the model as an image block, read from signal-cli's attachments folder", async () => {
    const sent = await reply({
      from: ALICE,
      text: "is this the right part?",
      attachments: [{ contentType: "image/jpeg", filename: "part.jpg", bytes: PHOTO }],
    });
    expect(sent.message).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(sent.recipient).toEqual([ALICE]);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(bridge.logs("attachments handed to the gateway").length).toBe(1);
  });

  it("answers a voice note from its transcript", async () => {
    speech.addAudio(VOICE, SPOKEN, 3);
    // Signal records voice notes as AAC and sends them without a file name.
    const sent = await reply({ from: ALICE, text: "", attachments: [{ contentType: "audio/aac", bytes: VOICE }] });
    expect(sent.message).toContain(SPOKEN);
    const blocks = lastUserBlocks();
    expect(blocks.map((b) => b.type)).toEqual(["text"]);
    expect(blocks[0]!.text).toContain(`[transcript of the voice message, 3 s]: ${SPOKEN}`);
  });

  it("refuses a picture over the limit from its declared size, without uploading it or calling the model", async () => {
    const calls = model().answered().length;
    const uploads = bridge.logs("attachments handed to the gateway").length;
    const big = new Uint8Array(6 * 1024 * 1024);
    big.set(PHOTO);
    const sent = await reply({ from: ALICE, text: "", attachments: [{ contentType: "image/jpeg", filename: "scan.jpg", bytes: big }] });
    expect(sent.message).toBe('I could not take that message: "scan.jpg" is 6 MB; pictures can be at most 5 MB. Nothing was sent to the assistant.');
    expect(model().answered().length).toBe(calls);
    expect(bridge.logs("attachments handed to the gateway").length).toBe(uploads);
  });
});
