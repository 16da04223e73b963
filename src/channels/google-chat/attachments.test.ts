/**
 * Google Chat media, unit layer: the documented attachment becomes a media.download reference,
 * Drive files are named and not fetched, resource names are escaped into the URL (and `..` is
 * refused), and downloads against the fake check the service account's token.
 */
import { describe, expect, it } from "vitest";
import { parseServiceAccountKey } from "./api";
import { CHAT_MEDIA_SCHEME } from "./attachments";
import { chatEventSchema, normalizeChatEvent } from "./event";
import { createChatFake } from "./fake-chat-api";
import { fetchChatMedia, mediaDownloadUrl } from "./media";
import withAttachment from "./fixtures/message-dm-attachment.json";

const resourceName = withAttachment.message.attachment[0]!.attachmentDataRef.resourceName;

describe("Google Chat attachments", () => {
  it("turns uploaded content into a media reference with its declared type and name", () => {
    expect(normalizeChatEvent(chatEventSchema.parse(withAttachment), undefined)).toMatchObject({
      kind: "message",
      message: {
        text: "Here is the receipt\n[file: receipt.jpg]",
        attachments: [{ type: "image/jpeg", name: "receipt.jpg", url: `${CHAT_MEDIA_SCHEME}${resourceName}` }],
      },
    });
  });

  it("names a Drive file without downloading it, and answers a message that is only a file", () => {
    const event = structuredClone(withAttachment) as { message: Record<string, unknown> };
    Object.assign(event.message, {
      text: "",
      argumentText: "",
      attachment: [{ contentName: "Q3 plan", contentType: "application/vnd.google-apps.document", source: "DRIVE_FILE", driveDataRef: { driveFileId: "1Zx" } }],
    });
    const result = normalizeChatEvent(chatEventSchema.parse(event), undefined);
    expect(result).toMatchObject({
      kind: "message",
      message: { text: "[Google Drive file: Q3 plan (application/vnd.google-apps.document); Drive files are not opened here]" },
    });
    expect(result.kind === "message" ? result.message.attachments : "not a message").toBeUndefined();
  });

  it("builds the media.download URL with every segment escaped and refuses dot segments", () => {
    expect(mediaDownloadUrl(undefined, "AATUf/a+b==")).toBe("https://chat.googleapis.com/v1/media/AATUf/a%2Bb%3D%3D?alt=media");
    expect(mediaDownloadUrl("http://127.0.0.1:9/", "x?y#z")).toBe("http://127.0.0.1:9/v1/media/x%3Fy%23z?alt=media");
    expect(mediaDownloadUrl(undefined, "../../v1/spaces")).toBeNull();
    expect(mediaDownloadUrl(undefined, "a//b")).toBeNull();
  });
});

describe("Google Chat downloads against the fake", async () => {
  const base = "https://chat-media.fake";
  const fake = await createChatFake({ baseUrl: base });
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(input, init))) as typeof fetch;
  const client = { key: parseServiceAccountKey(await fake.serviceAccountKey())!, apiBase: base, fetch: fetcher, now: Date.now() };
  const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

  it("downloads with the service account's token, and stops at the cap", async () => {
    fake.addMedia(resourceName, JPEG, "image/jpeg");
    expect(await fetchChatMedia({ type: "image/jpeg", url: `${CHAT_MEDIA_SCHEME}${resourceName}` }, client, 1024)).toEqual({
      ok: true,
      bytes: JPEG,
      mediaType: "image/jpeg",
    });
    expect(fake.downloads).toEqual([{ resourceName, status: 200, authorized: true }]);
    expect(await fetchChatMedia({ type: "image/jpeg", url: `${CHAT_MEDIA_SCHEME}${resourceName}` }, client, 4)).toMatchObject({
      ok: false,
      reason: "too_large",
      size: JPEG.length,
    });
  });

  it("reports a missing file and refuses requests without a token", async () => {
    expect(await fetchChatMedia({ type: "image/jpeg", url: `${CHAT_MEDIA_SCHEME}gone` }, client, 1024)).toMatchObject({
      ok: false,
      reason: "unavailable",
      error: "Google Chat file download failed: HTTP 404",
    });
    expect((await fetcher(`${base}/v1/media/${resourceName}?alt=media`)).status).toBe(401);
    expect(await fetchChatMedia({ type: "image/jpeg", url: "https://chat.googleapis.com/v1/media/x" }, client, 1024)).toMatchObject({
      ok: false,
      error: "not Google Chat media",
    });
  });
});
