/**
 * iMessage end to end: the gateway (`npm start`, the fake Messages API as its model, the fake
 * Workers AI for speech) and bridges (`npm run bridge`) as processes, against fake BlueBubbles
 * servers. On a machine that is not a Mac the channel is refused with the reason, shown to the
 * admin as the channel's status, and BlueBubbles is never called. A second bridge runs the Mac
 * path (its `process.platform` set to darwin by as-if-on-macos.mjs): a HEIC photo, which
 * BlueBubbles serves as JPEG, reaches the model as an image block; a voice message (Core Audio,
 * served as MP3) is answered from its transcript; a picture over the limit gets the clear reply
 * without a download or a model call. Replies go out through BlueBubbles' text endpoint.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBlueBubblesFake } from "../../../../src/channels/imessage/fake-bluebubbles";
import { serveFake } from "../../../../test/fakes/http-fake-server";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { setupAdmin, waitFor } from "../../../../test/support/gateway-process";
import { mediaGateway } from "../../../../test/support/media-gateway";

const PORT = 10900;
const PASSWORD = "e2e-bluebubbles-password";
const KEY = "sk-ant-e2e-imessage-media-7c2d";
const CF_ACCOUNT = "aabbccddeeff00112233445566778899";
const CF_TOKEN = "cf-ai-token-imessage-media";
const ALICE = "+15550108888";
const PHOTO = new Uint8Array(readFileSync(new URL("../../../../src/channels/telegram/fixtures/photo.jpg", import.meta.url)));
const VOICE = new Uint8Array(readFileSync(new URL("../../../../src/channels/telegram/fixtures/voice.oga", import.meta.url)));
const SPOKEN = "Remind me to call the plumber tomorrow.";
const AS_IF_ON_MACOS = new URL("./as-if-on-macos.mjs", import.meta.url).pathname;

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };
type Api = Awaited<ReturnType<typeof setupAdmin>>["api"];

describe("iMessage through bridges", () => {
  const mac = createBlueBubblesFake({ password: PASSWORD });
  const { platform, speech, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: CF_ACCOUNT, apiToken: CF_TOKEN },
    platform: mac.handle,
  });
  let api: Api;
  beforeAll(async () => {
    api = (await setupAdmin(platform.gw)).api;
  });

  async function bridgedChannel(name: string, serverUrl: string) {
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name });
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "imessage",
      name,
      policy: "open",
      config: { bridgeId: created.body.bridge.id, serverUrl, password: PASSWORD },
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    expect(JSON.stringify(ch.body)).not.toContain(PASSWORD);
    return { token: created.body.token, channelId: ch.body.channel.id };
  }
  const channel = async (id: string) => (await api<{ channel: { status: string; lastError: string | null } }>("GET", `/api/channels/${id}`)).body.channel;

  describe.skipIf(process.platform === "darwin")("on a bridge that is not on a Mac", () => {
    const linux = createBlueBubblesFake({ password: PASSWORD });
    let server: Awaited<ReturnType<typeof serveFake>>;
    let bridge: BridgeProcess;
    const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-imessage-"));
    afterAll(async () => {
      await bridge?.stop();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("reports the channel failed with why and how to run it on the Mac", async () => {
      server = await serveFake(linux.handle);
      const { token, channelId } = await bridgedChannel("linux-box", server.url);
      bridge = startBridge({ url: platform.gw.url, token, dataDir });
      await waitFor(async () => (await channel(channelId)).status === "failed", 30_000, "the imessage channel failed");
      expect((await channel(channelId)).lastError).toMatch(/needs a Mac signed in to Messages, and this bridge runs on linux.*npm run bridge/);
      expect(linux.state.calls).toEqual([]);
    });
  });

  describe("on the Mac: pictures and voice messages", () => {
    let bridge: BridgeProcess;
    const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-imessage-mac-"));
    beforeAll(async () => {
      const { token, channelId } = await bridgedChannel("mac-mini", platform.fakeUrl);
      bridge = startBridge({ url: platform.gw.url, token, dataDir, env: { NODE_OPTIONS: `--import=${AS_IF_ON_MACOS}` } });
      await waitFor(async () => (await channel(channelId)).status === "connected", 60_000, "imessage channel connected");
    });
    afterAll(async () => {
      await bridge?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const reply = async (send: () => void) => {
      const before = mac.state.sent.length;
      send();
      await waitFor(async () => mac.state.sent.length > before, 60_000, "the reply through BlueBubbles");
      return mac.state.sent[before]!;
    };
    const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;

    it("shows a HEIC photo to the model as the JPEG BlueBubbles converts it to", async () => {
      const sent = await reply(() =>
        mac.receiveFiles(ALICE, "\uFFFCwhich plant is this?", [
          // Messages keeps the HEIC; BlueBubbles' download converts it to JPEG.
          {
            mimeType: "image/heic",
            uti: "public.heic",
            transferName: "IMG_5120.HEIC",
            bytes: new Uint8Array(64_000),
            served: { contentType: "image/jpeg", bytes: PHOTO },
          },
        ]),
      );
      expect(sent.chatGuid).toBe(`iMessage;-;${ALICE}`);
      expect(sent.message).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
      expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: Buffer.from(PHOTO).toString("base64") } });
      expect(bridge.logs("attachments handed to the gateway").length).toBe(1);
    });

    it("answers a voice message from its transcript", async () => {
      speech.addAudio(VOICE, SPOKEN, 4);
      const sent = await reply(() =>
        mac.receiveFiles(
          ALICE,
          "",
          [
            {
              mimeType: null,
              uti: "com.apple.coreaudio-format",
              transferName: "Audio Message.caf",
              bytes: new Uint8Array(30_000),
              served: { contentType: "audio/mp3", bytes: VOICE },
            },
          ],
          { isAudioMessage: true },
        ),
      );
      expect(sent.message).toContain(SPOKEN);
      const blocks = lastUserBlocks();
      expect(blocks.map((b) => b.type)).toEqual(["text"]);
      expect(blocks[0]!.text).toContain(`[transcript of the voice message, 4 s]: ${SPOKEN}`);
    });

    it("refuses a picture over the limit from its declared size, without downloading it or calling the model", async () => {
      const calls = model().answered().length;
      const downloads = mac.state.calls.filter((c) => c.includes("/download")).length;
      const sent = await reply(() =>
        mac.receiveFiles(ALICE, "", [{ mimeType: "image/png", transferName: "scan.png", bytes: new Uint8Array(6 * 1024 * 1024) }]),
      );
      expect(sent.message).toBe('I could not take that message: "scan.png" is 6 MB; pictures can be at most 5 MB. Nothing was sent to the assistant.');
      expect(model().answered().length).toBe(calls);
      expect(mac.state.calls.filter((c) => c.includes("/download")).length).toBe(downloads);
    });
  });
});
