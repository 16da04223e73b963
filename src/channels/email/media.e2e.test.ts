/**
 * E-mail attachments as media, end to end (docs/media.md): `npm start` as a process, a real
 * multipart MIME message delivered through wrangler's local Email Routing endpoint
 * (/cdn-cgi/handler/email) to the Worker's `email` handler, which stages the attachments in the
 * local R2 bucket before acknowledging; the turn reads them back through the adapter and the fake
 * Messages API receives a photo as an image block and a PDF as a document block, the zip only by
 * name. A picture over the limit gets the refusal as a threaded e-mail reply, and no model call.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it } from "vitest";
import { mediaGateway } from "../../../test/support/media-gateway";
import { type apiClient, setupAdmin, waitFor } from "../../../test/support/gateway-process";

const PORT = 10250;
const KEY = "sk-ant-e2e-email-media-7c21";
const ADDRESS = "mary@example.net";
const SENDER = "jdoe@machine.example";
const PHOTO = readFileSync(new URL("../telegram/fixtures/photo.jpg", import.meta.url));
const PDF = readFileSync(new URL("../telegram/fixtures/document.pdf", import.meta.url));
const MAIL = readFileSync(join(import.meta.dirname, "fixtures", "photo-and-pdf.eml"), "latin1");
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

type Block = { type: string; text?: string; title?: string; source?: { type: string; media_type: string; data: string } };
type MediaView = { id: string; kind: string; status: string; mediaType: string; sizeBytes: number; name: string | null; available: boolean };

/** The fixture's photo part replaced by `bytes` (a JPEG's magic bytes and zeros: only its size matters), under a new Message-ID. */
function withPhoto(bytes: Uint8Array, messageId: string): string {
  const b64 = Buffer.from(bytes).toString("base64").replace(/.{76}/g, "$&\n").trimEnd();
  return MAIL.replace("<attach-4411@local.machine.example>", messageId).replace(
    /(filename="meter\.jpg"\r\nMIME-Version: 1\.0\r\n\r\n)[\s\S]*?(\r\n--=)/,
    (_m, head: string, tail: string) => `${head}${b64.replaceAll("\n", "\r\n")}${tail}`,
  );
}

describe("e-mail attachments as media, end to end", () => {
  const { platform, model } = mediaGateway({
    port: PORT,
    apiKey: KEY,
    cloudflare: { accountId: "00112233445566778899aabbccddeeff", apiToken: "cf-ai-token-email-media" },
    // Mail needs no platform API: the fake answers 404 to anything.
    platform: async () => new Response("not found", { status: 404 }),
  });
  let api: ReturnType<typeof apiClient>;
  let token = "";

  beforeAll(async () => {
    ({ api, token } = await setupAdmin(platform.gw));
    const created = await api("POST", "/api/channels", { type: "email", name: "Mail", policy: "open", config: { address: ADDRESS } });
    expect(created.status).toBe(201);
  });

  const deliver = (eml: string) =>
    fetch(`${platform.gw.url}/cdn-cgi/handler/email?${new URLSearchParams({ from: SENDER, to: ADDRESS })}`, {
      method: "POST",
      body: Buffer.from(eml, "latin1"),
    });
  /** The replies the send_email binding wrote, parsed, in order. */
  const sent = async () => {
    const files = [...plain(platform.gw.output()).matchAll(/send_email binding called with the following message:\s*\n\s*Email: (\S+\.eml)/g)];
    return Promise.all(files.map((m) => PostalMime.parse(readFileSync(m[1]!))));
  };
  const lastUserBlocks = () => (model().answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;
  const inboundMedia = async (messageId: string) => {
    const res = await api<{ messages: { direction: string; platformMessageId: string | null; media: MediaView[] }[] }>("GET", "/api/messages?limit=50");
    return res.body.messages.find((m) => m.direction === "in" && m.platformMessageId === messageId)?.media ?? [];
  };

  it("gives the model the photo as an image block and the PDF as a document block, names the zip, and keeps the files", async () => {
    expect((await deliver(MAIL)).status).toBe(200);
    await waitFor(async () => (await sent()).length === 1, 60_000, "the reply .eml");
    const [reply] = await sent();
    expect(reply!.inReplyTo).toBe("<attach-4411@local.machine.example>");
    expect(reply!.subject).toBe("Re: Invoice and a photo of the meter");

    const blocks = lastUserBlocks();
    expect(blocks.map((b) => b.type)).toEqual(["image", "document", "text"]);
    expect(blocks[0]!.source).toEqual({ type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") });
    expect(blocks[1]).toMatchObject({ title: "invoice.pdf", source: { type: "base64", media_type: "application/pdf", data: PDF.toString("base64") } });
    expect(blocks[2]!.text).toContain("Here is the invoice and a photo of the meter. Do the figures match?");
    expect(blocks[2]!.text).toContain("[file not opened: readings.zip (application/zip, 1 KB)");

    await waitFor(async () => (await inboundMedia("<attach-4411@local.machine.example>")).length === 3, 30_000, "the message's media rows");
    const files = await inboundMedia("<attach-4411@local.machine.example>");
    expect(files).toMatchObject([
      { kind: "image", status: "stored", mediaType: "image/jpeg", sizeBytes: PHOTO.length, name: "meter.jpg", available: true },
      { kind: "pdf", status: "stored", mediaType: "application/pdf", sizeBytes: PDF.length, name: "invoice.pdf", available: true },
      { kind: "other", status: "named", mediaType: "application/zip", name: "readings.zip", available: false },
    ]);
    const photo = await fetch(`${platform.gw.url}/api/media/${files[0]!.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(photo.status).toBe(200);
    expect(Buffer.from(await photo.arrayBuffer()).equals(PHOTO)).toBe(true);
  });

  it("refuses a picture over the limit with a threaded e-mail reply, and calls no model", async () => {
    const calls = model().answered().length;
    const big = new Uint8Array(6 * 1024 * 1024);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const messageId = "<attach-big-5522@local.machine.example>";
    expect((await deliver(withPhoto(big, messageId))).status).toBe(200);
    await waitFor(async () => (await sent()).length === 2, 60_000, "the refusal .eml");
    const refusal = (await sent())[1]!;
    expect(refusal.text?.trim()).toBe('I could not take that message: "meter.jpg" is 6 MB; pictures can be at most 5 MB. Nothing was sent to the assistant.');
    expect(refusal.inReplyTo).toBe(messageId);
    expect(refusal.subject).toBe("Re: Invoice and a photo of the meter");
    expect(model().answered().length).toBe(calls);
    expect(await inboundMedia(messageId)).toMatchObject([
      { kind: "image", status: "refused", available: false },
      { kind: "pdf", status: "refused", available: false },
      { kind: "other", status: "refused", available: false },
    ]);
  });
});
