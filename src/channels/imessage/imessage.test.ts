/** iMessage units: which BlueBubbles messages reach the agent, and the API envelope's outcomes. */
import { describe, expect, it } from "vitest";
import { blueBubblesResult } from "./bluebubbles";
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
});
