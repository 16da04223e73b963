/**
 * Teams media end to end (docs/media.md): documented personal-chat activities with a pasted
 * picture (on the Connector, fetched with the bot token) and a file (a pre-authenticated OneDrive
 * link, fetched with no token), signed by the fake Bot Framework. The picture reaches the fake
 * Messages API as an image block, a PDF as a document block; a text file over the limit (Teams
 * declares no size) is stopped by its Content-Length and gets a clear reply, with no model call.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { createTeamsFake, type TeamsFake } from "./fake-bot-framework";
import fileMessage from "./fixtures/message-personal-file.json";
import imageMessage from "./fixtures/message-personal-image.json";
import { APP_ID, teamsConfigFor } from "./test-profile";

const PORT = 10400;
const KEY = "sk-ant-e2e-teams-media-41d9";
const APP_PASSWORD = "e2e-teams-media-client-secret";
const PHOTO = readFileSync(new URL("../telegram/fixtures/photo.jpg", import.meta.url));
const PDF = readFileSync(new URL("../telegram/fixtures/document.pdf", import.meta.url));

type Block = { type: string; text?: string; title?: string; source?: { type: string; media_type: string; data: string } };

describe("Teams media, end to end", () => {
  let fake: TeamsFake;
  let url = "";
  let n = 0;
  beforeAll(async () => {
    fake = await createTeamsFake({ appId: APP_ID, appPassword: APP_PASSWORD });
  });
  const { platform, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: "00112233445566778899aabbccddeeff", apiToken: "cf-ai-token-teams-media" },
    platform: (request) => fake.handle(request),
  });
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];

  beforeAll(async () => {
    fake.setBaseUrl(platform.fakeUrl);
    ({ api } = await setupAdmin(platform.gw));
    ({ inboundUrl: url } = await createChannelWithSetup(api, {
      type: "teams",
      name: "Teams",
      policy: "open",
      config: teamsConfigFor(platform.fakeUrl, APP_PASSWORD),
    }));
  });

  /** Delivers a copy of the activity (fresh id, `edit` applied) and waits for the bot's reply to it. */
  async function deliver(fixture: Record<string, unknown>, edit: (a: { attachments: Record<string, unknown>[] }) => void) {
    const activity = structuredClone(fixture) as Record<string, unknown> & { attachments: Record<string, unknown>[] };
    activity.id = `14859834${String(++n).padStart(5, "0")}`;
    edit(activity);
    expect((await fake.deliver(url, activity)).status).toBe(200);
    await waitFor(async () => fake.state.posted.some((p) => p.replyToId === activity.id), 30_000, `a reply to activity ${activity.id}`);
    return fake.state.posted.find((p) => p.replyToId === activity.id)!.activity.text ?? "";
  }
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;
  const inboundMedia = async (text: string) => {
    const res = await api<{ messages: { direction: string; text: string; media: Record<string, unknown>[] }[] }>("GET", "/api/messages?limit=50");
    return res.body.messages.find((m) => m.direction === "in" && m.text.includes(text))?.media ?? [];
  };

  it("shows a pasted picture to the model, fetched from the Connector with the bot token; the HTML copy is not fetched", async () => {
    const contentUrl = fake.addAttachment(PHOTO, "image/jpeg");
    const reply = await deliver(imageMessage, (a) => {
      a.attachments[0]!.contentUrl = contentUrl;
    });
    expect(reply).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(lastUserBlocks().at(-1)!.text).toContain("What does this error mean?\n[image]");
    expect(fake.downloads).toEqual([{ path: new URL(contentUrl).pathname, status: 200, authorized: true }]);
    expect(await inboundMedia("What does this error mean?")).toMatchObject([
      { kind: "image", status: "stored", mediaType: "image/jpeg", sizeBytes: PHOTO.length },
    ]);
  });

  it("reads a PDF sent in a personal chat as a document block, downloaded without any token", async () => {
    const downloadUrl = fake.addSharePointFile(PDF, "application/pdf");
    const reply = await deliver(fileMessage, (a) => {
      Object.assign(a.attachments[0]!, { name: "Testfile.pdf", content: { ...(a.attachments[0]!.content as object), downloadUrl, fileType: "pdf" } });
    });
    expect(reply).toMatch(/I see 1 file \(document application\/pdf "Testfile.pdf"\)/);
    expect(lastUserBlocks()[0]).toMatchObject({
      type: "document",
      title: "Testfile.pdf",
      source: { type: "base64", media_type: "application/pdf", data: PDF.toString("base64") },
    });
    expect(lastUserBlocks().at(-1)!.text).toContain("[file: Testfile.pdf]");
    expect(fake.downloads.at(-1)).toEqual({ path: new URL(downloadUrl).pathname, status: 200, authorized: false });
  });

  it("refuses a text file over the limit from the download's Content-Length: a clear reply and no model call", async () => {
    const calls = model().answered().length;
    const downloadUrl = fake.addSharePointFile(new Uint8Array(2 * 1024 * 1024).fill(0x61), "text/plain");
    const reply = await deliver(fileMessage, (a) => {
      Object.assign(a.attachments[0]!, { content: { ...(a.attachments[0]!.content as object), downloadUrl } });
    });
    expect(reply).toBe('I could not take that message: "file_example.txt" is 2 MB; text files can be at most 1 MB. Nothing was sent to the assistant.');
    expect(model().answered().length).toBe(calls);
    expect(await inboundMedia("[file: file_example.txt]")).toMatchObject([{ kind: "text", status: "refused" }]);
  });
});
