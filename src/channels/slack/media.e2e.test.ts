/**
 * Slack files end to end (docs/media.md): signed `file_share` events with the documented file
 * objects; the gateway downloads `url_private_download` with the bot token from the fake's file
 * host. A shared picture reaches the fake Messages API as an image block, a clip recorded in
 * Slack (transcribed by the fake Workers AI) as its transcript, and a file over the limit, by
 * the size the event declares, gets a clear reply with no download and no model call.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { createSlackFake } from "./fake-web-api";
import fileShare from "./fixtures/file-share-im.json";
import voiceClip from "./fixtures/voice-clip-im.json";

const PORT = 9753;
const KEY = "sk-ant-e2e-slack-media-77c2";
const BOT_TOKEN = "xoxb-e2e-media-0000-fake";
const SIGNING_SECRET = "e2e-slack-media-signing-secret-0123";
const CF_ACCOUNT = "99887766554433221100ffeeddccbbaa";
const CF_TOKEN = "cf-ai-token-slack-media";
const PHOTO = readFileSync(new URL("../telegram/fixtures/photo.jpg", import.meta.url));
const VOICE = readFileSync(new URL("../telegram/fixtures/voice.oga", import.meta.url));
const SPOKEN = "Can we move the stand-up to ten tomorrow?";

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };
type FileShare = typeof fileShare;

describe("Slack files, end to end", () => {
  const slack = createSlackFake({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET });
  let inboundUrl = "";
  let seq = 0;

  const { platform, speech, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: CF_ACCOUNT, apiToken: CF_TOKEN },
    platform: (request) => slack.handle(request),
  });

  beforeAll(async () => {
    ({ api } = await setupAdmin(platform.gw));
    ({ inboundUrl } = await createChannelWithSetup(api, {
      type: "slack",
      name: "Slack",
      policy: "open",
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiBase: `${platform.fakeUrl}/api` },
    }));
  });

  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  /** Replies as the gateway recorded them: it records a reply once it is delivered in full (a streamed one grows by updates first). */
  const recordedReplies = async () =>
    (await api<{ messages: { direction: string; text: string }[] }>("GET", "/api/messages?limit=200")).body.messages.filter((m) => m.direction === "out");

  /** The fixture with its file URLs on the fake's host (as files.slack.com would serve them), a fresh event id, delivered signed. */
  async function share(fixture: FileShare, file: { bytes?: Uint8Array; size?: number }) {
    const payload = structuredClone(fixture);
    payload.event_id = `Ev0MEDIA${++seq}`;
    payload.event.ts = `1355517523.00${seq}`;
    const f = payload.event.files[0]!;
    const path = new URL(f.url_private_download).pathname;
    f.url_private_download = `${platform.fakeUrl}${path}`;
    f.url_private = `${platform.fakeUrl}${new URL(f.url_private).pathname}`;
    if (file.size !== undefined) f.size = file.size;
    if (file.bytes) slack.addFile(path, file.bytes, f.mimetype);
    const before = (await recordedReplies()).length;
    expect((await slack.deliver(inboundUrl, payload)).status).toBe(200);
    await waitFor(async () => (await recordedReplies()).length > before, 30_000, `a reply to ${payload.event_id}`);
    return { reply: { ...slack.state.posted.at(-1)!, text: (await recordedReplies())[0]!.text }, path };
  }
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;

  it("shows a shared picture to the model, downloaded with the bot token", async () => {
    const { reply, path } = await share(fileShare, { bytes: PHOTO, size: PHOTO.length });
    expect(reply.text).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(lastUserBlocks().at(-1)!.text).toContain("Here is the floor plan\n[file: floor-plan.jpg]");
    expect(slack.downloads).toEqual([{ path, status: 200, authorized: true }]);
  });

  it("answers a clip recorded in Slack from its transcript", async () => {
    speech.addAudio(VOICE, SPOKEN, 3);
    const { reply } = await share(voiceClip as unknown as FileShare, { bytes: VOICE, size: VOICE.length });
    expect(reply.text).toContain(SPOKEN);
    expect(lastUserBlocks().map((b) => b.type)).toEqual(["text"]);
    expect(lastUserBlocks()[0]!.text).toContain(`[voice message]\n[transcript of the voice message, 3 s]: ${SPOKEN}`);
  });

  it("refuses a picture over the limit from its declared size, with no download and no model call", async () => {
    const calls = model().answered().length;
    const downloads = slack.downloads.length;
    const { reply } = await share(fileShare, { size: 6 * 1024 * 1024 });
    expect(reply.text).toBe('I could not take that message: "floor-plan.jpg" is 6 MB; pictures can be at most 5 MB. Nothing was sent to the assistant.');
    expect(model().answered().length).toBe(calls);
    expect(slack.downloads.length).toBe(downloads);
  });
});
