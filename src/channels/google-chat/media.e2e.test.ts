/**
 * Google Chat media end to end (docs/media.md): a documented direct message with a file uploaded
 * to Chat, its bearer token signed by the fake; the gateway downloads the content through
 * media.download (`/v1/media/{resourceName}?alt=media`) with the service account's token. A photo
 * reaches the fake Messages API as an image block, a PDF as a document block, a Drive file is
 * named, not fetched; a picture over the limit (Chat declares no size) is stopped by the
 * download's Content-Length and gets a clear reply, with no model call.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup } from "../../../test/support/platform-gateway";
import { type ChatFake, createChatFake } from "./fake-chat-api";
import withAttachment from "./fixtures/message-dm-attachment.json";
import { chatConfigFor, PROJECT_NUMBER } from "./test-profile";

const PORT = 10401;
const KEY = "sk-ant-e2e-gchat-media-93a1";
const PROJECT = { projectNumber: PROJECT_NUMBER };
const PHOTO = readFileSync(new URL("../telegram/fixtures/photo.jpg", import.meta.url));
const PDF = readFileSync(new URL("../telegram/fixtures/document.pdf", import.meta.url));

type Block = { type: string; text?: string; title?: string; source?: { type: string; media_type: string; data: string } };
type Event = typeof withAttachment;
type ChatAttachment = Record<string, unknown>;

describe("Google Chat media, end to end", () => {
  let fake: ChatFake;
  let url = "";
  let n = 0;
  beforeAll(async () => {
    fake = await createChatFake();
  });
  const { platform, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: "ffeeddccbbaa99887766554433221100", apiToken: "cf-ai-token-gchat-media" },
    platform: (request) => fake.handle(request),
  });

  beforeAll(async () => {
    fake.setBaseUrl(platform.fakeUrl);
    const { api } = await setupAdmin(platform.gw);
    ({ inboundUrl: url } = await createChannelWithSetup(api, {
      type: "google-chat",
      name: "Google Chat",
      policy: "open",
      config: await chatConfigFor(fake, platform.fakeUrl),
    }));
  });

  /** The fixture as a new message whose attachment is `attachment`, delivered; resolves to the app's reply. */
  async function send(attachment: ChatAttachment, text = "") {
    const event = structuredClone(withAttachment) as Event & { message: { attachment: ChatAttachment[] } };
    const name = `spaces/AAAAAAAAAAA/messages/MEDIA${++n}.MEDIA${n}`;
    Object.assign(event.message, {
      name,
      text,
      argumentText: text,
      attachment: [{ ...event.message.attachment[0], name: `${name}/attachments/A${n}`, ...attachment }],
    });
    const before = fake.state.created.length;
    expect((await fake.deliver(url, event, PROJECT)).status).toBe(200);
    await waitFor(async () => fake.state.created.length > before, 30_000, `a reply to ${name}`);
    return fake.state.created.at(-1)!.body.text ?? "";
  }
  const uploaded = (resourceName: string, contentName: string, contentType: string, bytes: Uint8Array) => {
    fake.addMedia(resourceName, bytes, contentType);
    return { contentName, contentType, attachmentDataRef: { resourceName } };
  };
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;

  it("shows an uploaded photo to the model, downloaded through media.download with the service account's token", async () => {
    const resourceName = withAttachment.message.attachment[0]!.attachmentDataRef.resourceName;
    const reply = await send(uploaded(resourceName, "receipt.jpg", "image/jpeg", PHOTO), "Here is the receipt");
    expect(reply).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(lastUserBlocks().at(-1)!.text).toContain("Here is the receipt\n[file: receipt.jpg]");
    expect(fake.downloads).toEqual([{ resourceName, status: 200, authorized: true }]);
  });

  it("reads an uploaded PDF as a document block, and names a Drive file without fetching it", async () => {
    const pdf = uploaded("AATUf-pdf/Testfile+1==", "Testfile.pdf", "application/pdf", PDF);
    const reply = await send(pdf);
    expect(reply).toMatch(/I see 1 file \(document application\/pdf "Testfile.pdf"\)/);
    expect(lastUserBlocks()[0]).toMatchObject({
      type: "document",
      title: "Testfile.pdf",
      source: { type: "base64", media_type: "application/pdf", data: PDF.toString("base64") },
    });
    expect(fake.downloads.at(-1)).toEqual({ resourceName: "AATUf-pdf/Testfile+1==", status: 200, authorized: true });

    const downloads = fake.downloads.length;
    const drive = {
      contentName: "Q3 plan",
      contentType: "application/vnd.google-apps.document",
      source: "DRIVE_FILE",
      attachmentDataRef: undefined,
      driveDataRef: { driveFileId: "1Zx3kV9" },
    };
    await send(drive, "thoughts?");
    expect(lastUserBlocks().at(-1)!.text).toContain(
      "thoughts?\n[Google Drive file: Q3 plan (application/vnd.google-apps.document); Drive files are not opened here]",
    );
    expect(fake.downloads.length).toBe(downloads);
  });

  it("refuses a picture over the limit from the download's Content-Length: a clear reply and no model call", async () => {
    const calls = model().answered().length;
    const big = new Uint8Array(6 * 1024 * 1024);
    big.set(PHOTO.subarray(0, 16));
    const reply = await send(uploaded("AATUf-big", "scan.jpg", "image/jpeg", big));
    expect(reply).toBe('I could not take that message: "scan.jpg" is 6 MB; pictures can be at most 5 MB. Nothing was sent to the assistant.');
    expect(model().answered().length).toBe(calls);
  });
});
