/**
 * Teams media, unit layer: the documented picture and file activities become attachments (the
 * HTML copy skipped), the download hosts are enforced (the bot token only to the Connector, no
 * token to SharePoint, nothing elsewhere), and downloads against the fake Bot Framework.
 */
import { describe, expect, it } from "vitest";
import { activitySchema, normalizeActivity } from "./activity";
import { mediaTypeOfExtension, TEAMS_FILE_SCHEME, TEAMS_IMAGE_SCHEME } from "./attachments";
import { createTeamsFake } from "./fake-bot-framework";
import { fetchTeamsMedia, teamsMediaTarget } from "./media";
import fileMessage from "./fixtures/message-personal-file.json";
import imageMessage from "./fixtures/message-personal-image.json";

const APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c";

describe("Teams attachments", () => {
  it("turns a pasted picture into an image reference and skips the HTML copy of the message", () => {
    expect(normalizeActivity(activitySchema.parse(imageMessage), undefined)).toMatchObject({
      kind: "message",
      message: {
        text: "What does this error mean?\n[image]",
        attachments: [{ type: "image/png", url: `${TEAMS_IMAGE_SCHEME}${imageMessage.attachments[0]!.contentUrl}` }],
      },
    });
  });

  it("turns a file sent in a personal chat into a download link reference typed by its extension", () => {
    const result = normalizeActivity(activitySchema.parse(fileMessage), undefined);
    expect(result).toMatchObject({
      kind: "message",
      message: {
        text: "[file: file_example.txt]",
        attachments: [
          {
            type: "text/plain",
            name: "file_example.txt",
            url: `${TEAMS_FILE_SCHEME}${(fileMessage.attachments[0]!.content as { downloadUrl: string }).downloadUrl}`,
          },
        ],
      },
    });
    expect(mediaTypeOfExtension("pdf", "a.pdf")).toBe("application/pdf");
    expect(mediaTypeOfExtension(undefined, "scan.JPG")).toBe("image/jpeg");
    expect(mediaTypeOfExtension("exe", "setup.exe")).toBe("application/octet-stream");
  });

  it("ignores a message with neither text nor files, and skips attachments it cannot read", () => {
    const empty = { ...structuredClone(fileMessage), attachments: [{ contentType: "text/html", content: "<p></p>" }] };
    expect(normalizeActivity(activitySchema.parse(empty), undefined)).toEqual({ kind: "ignored", reason: "message without text or files" });
    const card = { ...structuredClone(imageMessage), attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: {} }] };
    expect(normalizeActivity(activitySchema.parse(card), undefined)).toMatchObject({ message: { text: "What does this error mean?" } });
  });
});

describe("Teams download hosts", () => {
  const image = (url: string) => `${TEAMS_IMAGE_SCHEME}${url}`;
  const file = (url: string) => `${TEAMS_FILE_SCHEME}${url}`;

  it("fetches pictures only from the Bot Connector and files only from SharePoint, over https", () => {
    expect(teamsMediaTarget(image("https://smba.trafficmanager.net/amer/v3/attachments/x/views/original"), undefined)).toMatchObject({ kind: "image" });
    expect(teamsMediaTarget(file("https://contoso-my.sharepoint.com/personal/a/_layouts/15/download.aspx?tempauth=x"), undefined)).toMatchObject({
      kind: "file",
    });
    expect(teamsMediaTarget(image("https://evil.example/v3/attachments/x/views/original"), undefined)).toMatchObject({ kind: "refused" });
    expect(teamsMediaTarget(image("https://contoso.sharepoint.com/x.png"), undefined)).toMatchObject({ kind: "refused" });
    expect(teamsMediaTarget(file("https://smba.trafficmanager.net/amer/v3/attachments/x"), undefined)).toMatchObject({ kind: "refused" });
    expect(teamsMediaTarget(file("https://sharepoint.com.evil.example/x"), undefined)).toMatchObject({ kind: "refused" });
    expect(teamsMediaTarget(file("http://contoso.sharepoint.com/x"), undefined)).toMatchObject({ kind: "refused" });
    expect(teamsMediaTarget(image("https://user:pw@smba.trafficmanager.net/x"), undefined)).toMatchObject({ kind: "refused" });
    expect(teamsMediaTarget("https://smba.trafficmanager.net/x", undefined)).toMatchObject({ kind: "refused" });
  });

  it("allows the configured OpenID metadata host (a proxy or test server), over http too", () => {
    expect(teamsMediaTarget(image("http://127.0.0.1:9/v3/attachments/x/views/original"), "127.0.0.1:9")).toMatchObject({ kind: "image" });
    expect(teamsMediaTarget(file("http://127.0.0.1:9/personal/x"), "127.0.0.1:9")).toMatchObject({ kind: "file" });
    expect(teamsMediaTarget(file("http://127.0.0.1:10/personal/x"), "127.0.0.1:9")).toMatchObject({ kind: "refused" });
  });
});

describe("Teams downloads against the fake", async () => {
  const base = "https://bf-media.fake";
  const fake = await createTeamsFake({ appId: APP_ID, appPassword: "media-secret-value", baseUrl: base });
  const requests: Request[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    return fake.handle(request);
  }) as typeof fetch;
  const creds = { appId: APP_ID, appPassword: "media-secret-value", loginBase: base, fetch: fetcher, now: Date.now() };
  const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

  it("sends the bot token with a picture and no token with a file", async () => {
    const picture = await fetchTeamsMedia({ type: "image/png", url: `${TEAMS_IMAGE_SCHEME}${fake.addAttachment(PNG)}` }, creds, "bf-media.fake", 1024);
    expect(picture).toEqual({ ok: true, bytes: PNG, mediaType: "image/png" });
    const text = new TextEncoder().encode("hello");
    const doc = await fetchTeamsMedia(
      { type: "text/plain", url: `${TEAMS_FILE_SCHEME}${fake.addSharePointFile(text, "text/plain")}` },
      creds,
      "bf-media.fake",
      1024,
    );
    expect(doc).toEqual({ ok: true, bytes: text, mediaType: "text/plain" });
    expect(fake.downloads.map((d) => [d.status, d.authorized])).toEqual([
      [200, true],
      [200, false],
    ]);
  });

  it("stops at the cap, reports an expired link, and never fetches from a foreign host", async () => {
    const big = await fetchTeamsMedia(
      { type: "image/png", url: `${TEAMS_IMAGE_SCHEME}${fake.addAttachment(new Uint8Array(4096))}` },
      creds,
      "bf-media.fake",
      1024,
    );
    expect(big).toMatchObject({ ok: false, reason: "too_large", size: 4096 });
    const link = fake.addSharePointFile(new Uint8Array(3), "text/plain").replace(/tempauth=[^&]+/, "tempauth=v1.expired");
    expect(await fetchTeamsMedia({ type: "text/plain", url: `${TEAMS_FILE_SCHEME}${link}` }, creds, "bf-media.fake", 1024)).toMatchObject({
      ok: false,
      reason: "unavailable",
      error: "SharePoint file download failed: HTTP 401",
    });
    const before = requests.length;
    expect(
      await fetchTeamsMedia(
        { type: "image/png", url: `${TEAMS_IMAGE_SCHEME}https://evil.example/v3/attachments/x/views/original` },
        creds,
        "bf-media.fake",
        1024,
      ),
    ).toMatchObject({
      ok: false,
      error: "pictures are downloaded only from the Bot Connector, not evil.example",
    });
    expect(requests.length).toBe(before);
  });
});
