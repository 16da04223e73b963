/**
 * LINE media end to end (docs/media.md): the reference's audio and file message events, signed
 * by the fake Messaging API; the gateway downloads content with the channel access token
 * (`GET /v2/bot/message/{id}/content`). A voice message reaches the fake Messages API as its
 * transcript (fake Workers AI), a text file as a document block, and a file over the limit, by
 * the size the event declares, gets a clear reply with no download and no model call.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { createLineFake } from "./fake-messaging-api";
import audioUser from "./fixtures/audio-user.json";
import fileUser from "./fixtures/file-user.json";

const PORT = 9755;
const KEY = "sk-ant-e2e-line-media-5d6e";
const ACCESS_TOKEN = "e2e-line-media-access-token-0000";
const CHANNEL_SECRET = "fedcba9876543210fedcba9876543210";
const CF_ACCOUNT = "aabbccddeeff00112233445566778899";
const CF_TOKEN = "cf-ai-token-line-media";
const VOICE = readFileSync(new URL("../telegram/fixtures/voice.oga", import.meta.url));
const SPOKEN = "Please send me the opening hours for Saturday.";
const NOTES = "Shopping list\n- rice\n- miso\n";

type Block = { type: string; text?: string; title?: string; source?: { type: string; media_type: string; data: string } };

describe("LINE media, end to end", () => {
  const line = createLineFake({ accessToken: ACCESS_TOKEN, channelSecret: CHANNEL_SECRET });
  let url = "";
  let n = 0;

  const { platform, speech, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: CF_ACCOUNT, apiToken: CF_TOKEN },
    platform: (request) => line.handle(request),
  });

  beforeAll(async () => {
    const { api } = await setupAdmin(platform.gw);
    ({ inboundUrl: url } = await createChannelWithSetup(api, {
      type: "line",
      name: "LINE",
      policy: "open",
      config: { channelAccessToken: ACCESS_TOKEN, channelSecret: CHANNEL_SECRET, apiBase: platform.fakeUrl },
    }));
  });

  async function send(fixture: typeof audioUser | typeof fileUser, edit: (m: Record<string, unknown>) => void = () => undefined) {
    const body = structuredClone(fixture) as typeof audioUser;
    const event = body.events[0]!;
    Object.assign(event, { webhookEventId: `01HMEDIA${String(++n).padStart(6, "0")}`, replyToken: `media-reply-${n}`, timestamp: Date.now() });
    edit(event.message as unknown as Record<string, unknown>);
    const before = line.state.sent.length;
    expect((await line.deliver(url, body)).status).toBe(200);
    await waitFor(async () => line.state.sent.length > before, 30_000, `a reply to event ${n}`);
    return line.state.sent.at(-1)!.messages[0]!.text ?? "";
  }
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;
  const contentCalls = () => line.state.calls.filter((c) => c.path.endsWith("/content")).length;

  it("answers a voice message from its transcript", async () => {
    line.addContent(audioUser.events[0]!.message.id, VOICE, "audio/x-m4a");
    speech.addAudio(VOICE, SPOKEN, 60);
    const reply = await send(audioUser);
    expect(reply).toContain(SPOKEN);
    expect(lastUserBlocks()[0]!.text).toContain(`[voice message, 60 s]\n[transcript of the voice message, 60 s]: ${SPOKEN}`);
  });

  it("reads a text file to the model as a document block", async () => {
    line.addContent(fileUser.events[0]!.message.id, new TextEncoder().encode(NOTES), "text/plain");
    const reply = await send(fileUser, (m) => (m.fileSize = NOTES.length));
    expect(reply).toContain(`document text "file.txt" ${NOTES.length} chars`);
    expect(lastUserBlocks()[0]).toEqual({ type: "document", source: { type: "text", media_type: "text/plain", data: NOTES }, title: "file.txt" });
  });

  it("refuses a file over the limit from its declared size, with no download and no model call", async () => {
    const calls = model().answered().length;
    const downloads = contentCalls();
    const reply = await send(fileUser, (m) => {
      m.id = "325710";
      m.fileSize = 2 * 1024 * 1024;
    });
    expect(reply).toBe('I could not take that message: "file.txt" is 2 MB; text files can be at most 1 MB. Nothing was sent to the assistant.');
    expect(model().answered().length).toBe(calls);
    expect(contentCalls()).toBe(downloads);
  });
});
