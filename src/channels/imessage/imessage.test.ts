/** iMessage units: which BlueBubbles messages reach the agent, and the API envelope's outcomes. */
import { describe, expect, it } from "vitest";
import { blueBubblesResult } from "./bluebubbles";
import { describeAttachment, downloadAttachment } from "./attachments";
import { createBlueBubblesFake } from "./fake-bluebubbles";
import { isGroupChat, normalizeBlueBubblesMessage } from "./message";
import * as z from "zod";

const message = (fields: Record<string, unknown> = {}) => ({
  guid: "6C8B1A5E-0F3B-4A86-9C1C-0D2E5A1B7F10",
  text: "hello",
  isFromMe: false,
  dateCreated: 1_700_000_000_000,
  handle: { address: "+15551234567" },
  chats: [{ guid: "iMessage;-;+15551234567", displayName: null }],
  attachments: [],
  associatedMessageGuid: null,
  ...fields,
});

describe("BlueBubbles messages", () => {
  it("takes a one-to-one message, naming attachments and dropping their placeholder character", () => {
    const out = normalizeBlueBubblesMessage(message({ text: "\uFFFClook", attachments: [{ mimeType: "image/jpeg", transferName: "IMG_1.jpeg" }] }));
    expect(out).toEqual({
      kind: "message",
      createdAt: 1_700_000_000_000,
      downloads: [null],
      message: {
        senderId: "+15551234567",
        conversationId: "iMessage;-;+15551234567",
        platformMessageId: "6C8B1A5E-0F3B-4A86-9C1C-0D2E5A1B7F10",
        text: "look",
        attachments: [{ type: "image/jpeg", name: "IMG_1.jpeg" }],
      },
    });
  });

  it("ignores its own, reactions, empty and (by default) group messages; refuses garbage", () => {
    expect(normalizeBlueBubblesMessage(message({ isFromMe: true })).kind).toBe("ignored");
    expect(normalizeBlueBubblesMessage(message({ associatedMessageGuid: "p:0/ABC" })).kind).toBe("ignored");
    expect(normalizeBlueBubblesMessage(message({ text: " " })).kind).toBe("ignored");
    const group = message({ chats: [{ guid: "iMessage;+;chat493787", displayName: "Family" }] });
    expect(isGroupChat("iMessage;+;chat493787")).toBe(true);
    expect(normalizeBlueBubblesMessage(group).kind).toBe("ignored");
    expect(normalizeBlueBubblesMessage(group, { groups: true }).kind).toBe("message");
    expect(normalizeBlueBubblesMessage({ text: "no guid" }).kind).toBe("invalid");
  });

  it("maps the envelope: 401 final, 5xx retried, data validated", async () => {
    const res = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
    expect(await blueBubblesResult(res(200, { status: 200, message: "Ping received!", data: "pong" }), z.string())).toEqual({ ok: true, data: "pong" });
    expect(
      await blueBubblesResult(res(401, { status: 401, message: "Unauthorized", error: { type: "Authentication Error", error: "bad password" } }), z.unknown()),
    ).toMatchObject({ ok: false, status: 401, retryable: false, error: expect.stringContaining("bad password") });
    expect(await blueBubblesResult(res(500, { status: 500, message: "Server Error" }), z.unknown())).toMatchObject({ retryable: true });
    expect(await blueBubblesResult(res(200, { status: 200, message: "Success", data: 5 }), z.array(z.unknown()))).toMatchObject({ ok: false, retryable: true });
  });

  it("describes attachments as BlueBubbles' download serves them: HEIC and TIFF as JPEG, Core Audio voice as MP3, sizes only when unchanged", () => {
    expect(describeAttachment({ guid: "at_1", mimeType: "image/heic", uti: "public.heic", transferName: "IMG_1.HEIC", totalBytes: 900_000 }, false)).toEqual({
      guid: "at_1",
      type: "image/jpeg",
      name: "IMG_1.HEIC",
    });
    expect(describeAttachment({ guid: "at_2", mimeType: "image/tiff", transferName: "scan.tiff", totalBytes: 10 }, false)).toMatchObject({
      type: "image/jpeg",
    });
    expect(
      describeAttachment({ guid: "at_3", mimeType: null, uti: "com.apple.coreaudio-format", transferName: "Audio Message.caf", totalBytes: 5 }, true),
    ).toEqual({
      guid: "at_3",
      type: "audio/mpeg",
      name: "Audio Message.caf",
      voice: true,
    });
    expect(describeAttachment({ guid: "at_4", mimeType: "application/pdf", transferName: "a.pdf", totalBytes: 4096 }, false)).toEqual({
      guid: "at_4",
      type: "application/pdf",
      name: "a.pdf",
      size: 4096,
    });
    expect(describeAttachment({ guid: "at_5", mimeType: "audio/mp4", transferName: "memo.m4a", totalBytes: 7 }, true)).toMatchObject({ voice: true, size: 7 });
    expect(describeAttachment({ mimeType: "not a type", transferName: null, totalBytes: -1 }, false)).toEqual({ guid: null, type: "application/octet-stream" });
  });

  it("downloads with the server password, checks the announced length before reading and the body while reading", async () => {
    const fake = createBlueBubblesFake({ password: "pw" });
    const m = fake.receiveFiles("+15551234567", "", [{ mimeType: "image/png", transferName: "a.png", bytes: new Uint8Array(2048) }]);
    const guid = m.attachments[0]!.guid;
    const client = (password: string, fetcher: typeof fetch = (input, init) => fake.handle(new Request(input, init))) => ({
      serverUrl: "http://mac.local:1234",
      password,
      fetch: fetcher,
    });
    expect(await downloadAttachment(client("pw"), guid, 4096)).toMatchObject({ ok: true, mediaType: "image/png", bytes: new Uint8Array(2048) });
    expect(await downloadAttachment(client("wrong"), guid, 4096)).toMatchObject({ ok: false, tooLarge: false, error: expect.stringContaining("401") });
    expect(await downloadAttachment(client("pw"), "at_missing", 4096)).toMatchObject({ ok: false, tooLarge: false, error: expect.stringContaining("404") });
    expect(await downloadAttachment(client("pw"), guid, 1000)).toEqual({ ok: false, tooLarge: true, size: 2048, error: "the file is over the limit" });
    // Without a Content-Length the body is cut off at the limit.
    const unannounced: typeof fetch = async (input, init) => {
      const res = await fake.handle(new Request(input, init));
      return new Response(res.body, { headers: { "content-type": "image/png" } });
    };
    expect(await downloadAttachment(client("pw", unannounced), guid, 1000)).toEqual({ ok: false, tooLarge: true, error: "the file is over the limit" });
    // A transfer cut off midway leaves the file named, not the poller stuck.
    const cut: typeof fetch = async () =>
      new Response(
        new ReadableStream({
          pull: (controller) => controller.error(new Error("socket hang up")),
        }),
        { headers: { "content-type": "image/png" } },
      );
    expect(await downloadAttachment(client("pw", cut), guid, 4096)).toMatchObject({
      ok: false,
      tooLarge: false,
      error: expect.stringContaining("socket hang up"),
    });
  });
});
