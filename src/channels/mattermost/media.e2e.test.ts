/**
 * Mattermost files end to end (docs/media.md): outgoing webhooks (the documented payload) whose
 * `file_ids` name files uploaded to the post on the fake server. The gateway looks up each
 * FileInfo (`GET /api/v4/files/{id}/info`) and downloads it (`GET /api/v4/files/{id}`) with the
 * bot token from the configured server: a photo reaches the fake Messages API as an image block,
 * a PDF as a document block, and a PDF over the limit, by the size its info declares, gets the
 * clear reply in the post's thread with no download and no model call.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { createMattermostFake, mattermostId } from "./fake-server";
import outgoing from "./fixtures/outgoing-webhook.json";

const PORT = 10451;
const KEY = "sk-ant-e2e-mattermost-media-9b2e";
const BOT_TOKEN = "e2emediabottoken00000000000";
const CF_ACCOUNT = "5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d";
const CF_TOKEN = "cf-ai-token-mattermost-media";
const PHOTO = readFileSync(new URL("../telegram/fixtures/photo.jpg", import.meta.url));
const PDF = readFileSync(new URL("../telegram/fixtures/document.pdf", import.meta.url));

type Block = { type: string; text?: string; title?: string; source?: { type: string; media_type: string; data: string } };

describe("Mattermost files, end to end", () => {
  const mm = createMattermostFake({ botToken: BOT_TOKEN });
  const channelId = mattermostId();
  let url = "";

  const { platform, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: CF_ACCOUNT, apiToken: CF_TOKEN },
    platform: (request) => mm.handle(request),
  });

  beforeAll(async () => {
    const { api } = await setupAdmin(platform.gw);
    ({ inboundUrl: url } = await createChannelWithSetup(api, {
      type: "mattermost",
      name: "Mattermost",
      policy: "open",
      config: { serverUrl: platform.fakeUrl, botToken: BOT_TOKEN, outgoingWebhookToken: outgoing.token },
    }));
    mm.addBotTo(channelId);
  });

  /** A user's post with a file, sent on by the outgoing webhook; the bot's answer in its thread. */
  async function postWithFile(text: string, file: { name: string; type: string; bytes: Uint8Array; declaredSize?: number }) {
    const post = mm.userPost(channelId, text);
    const info = mm.addFile(channelId, post.id, file.name, file.type, file.bytes);
    if (file.declaredSize !== undefined) info.size = file.declaredSize;
    const before = mm.state.posts.length;
    const hook = await mm.outgoing(url, { ...outgoing, channel_id: channelId, post_id: post.id, text, file_ids: info.id });
    expect(hook.status).toBe(200);
    await waitFor(async () => mm.state.posts.some((p, i) => i >= before && p.root_id === post.id), 30_000, `the answer to ${file.name}`);
    return { reply: mm.state.posts.filter((p) => p.root_id === post.id).at(-1)!.message, info };
  }
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;
  const calls = (path: string) => mm.state.calls.filter((c) => c.path === path).length;

  it("shows a posted photo to the model, looked up and downloaded with the bot token", async () => {
    const { reply, info } = await postWithFile("some what is in this picture", { name: "whiteboard.jpg", type: "image/jpeg", bytes: PHOTO });
    expect(reply).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(lastUserBlocks().at(-1)!.text).toContain("what is in this picture\n[file: whiteboard.jpg]");
    expect(calls(`/api/v4/files/${info.id}/info`)).toBe(1);
    expect(calls(`/api/v4/files/${info.id}`)).toBe(1);
  });

  it("reads a posted PDF to the model as a document block", async () => {
    const { reply } = await postWithFile("some summarise the minutes", { name: "minutes.pdf", type: "application/pdf", bytes: PDF });
    expect(reply).toContain('document application/pdf "minutes.pdf"');
    expect(lastUserBlocks()[0]).toEqual({
      type: "document",
      source: { type: "base64", media_type: "application/pdf", data: PDF.toString("base64") },
      title: "minutes.pdf",
    });
  });

  it("refuses a PDF over the limit from the size its info declares, with no download and no model call", async () => {
    const answered = model().answered().length;
    const downloads = mm.downloads();
    const { reply } = await postWithFile("some read this", { name: "archive.pdf", type: "application/pdf", bytes: PDF, declaredSize: 40 * 1024 * 1024 });
    expect(reply).toBe('I could not take that message: "archive.pdf" is 40 MB; PDFs can be at most 32 MB. Nothing was sent to the assistant.');
    expect(model().answered().length).toBe(answered);
    expect(mm.downloads()).toBe(downloads);
  });
});
