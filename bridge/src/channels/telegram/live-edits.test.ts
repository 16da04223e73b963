/**
 * The polling channel's streamed replies (live-edits.ts) against a fake Bot API client that
 * answers as Telegram does: the post names the message, "message is not modified" counts as
 * done, "message to edit not found" is final (the reply is then posted whole), a 429's
 * retry_after is passed on and holds the channel, and nothing is sent while it cannot be.
 */
import type { Api } from "grammy/web";
import { GrammyError } from "grammy/web";
import { describe, expect, it } from "vitest";
import { telegramEditableMessages } from "./live-edits";

const reply = {
  id: "in_1:0000",
  channelId: "ch_tg",
  recipient: "1111111",
  conversationId: "1111111",
  text: "Part of the answer",
  replyContext: { messageId: "42" },
};
const apiError = (method: string, error_code: number, description: string, parameters = {}) =>
  new GrammyError(`Call to '${method}' failed!`, { ok: false, error_code, description, parameters }, method, {});

function setup(editError?: GrammyError, notReady: string | null = null) {
  const calls: { method: string; args: unknown[] }[] = [];
  const waits: number[] = [];
  const api = {
    sendMessage: async (...args: unknown[]) => {
      calls.push({ method: "sendMessage", args });
      return { message_id: 77 };
    },
    editMessageText: async (...args: unknown[]) => {
      calls.push({ method: "editMessageText", args });
      if (editError) throw editError;
      return true;
    },
  } as unknown as Pick<Api, "sendMessage" | "editMessageText">;
  const port = telegramEditableMessages({ api, notReady: () => notReady, rateLimited: (ms) => waits.push(ms) });
  return { port, calls, waits };
}

describe("streamed replies on Telegram long polling", () => {
  it("posts quoting the message answered and edits that message in HTML", async () => {
    const { port, calls } = setup();
    expect(await port.post(reply)).toEqual({ ok: true, messageId: "77" });
    expect(await port.edit({ ...reply, text: "Part of the answer, **more**" }, "77")).toEqual({ ok: true });
    expect(calls[0]).toMatchObject({ method: "sendMessage", args: ["1111111", "Part of the answer", expect.objectContaining({ parse_mode: "HTML" })] });
    expect(calls[1]).toMatchObject({ method: "editMessageText", args: ["1111111", 77, "Part of the answer, <b>more</b>", { parse_mode: "HTML" }] });
  });

  it("paces a private chat at one change a second and a group at one per 3 s", () => {
    const { port } = setup();
    expect(port.minEditIntervalMs(reply)).toBe(1000);
    expect(port.minEditIntervalMs({ ...reply, conversationId: "-1001234567890" })).toBe(3000);
  });

  it("takes an edit that changes nothing as done, and a deleted message as final", async () => {
    expect(await setup(apiError("editMessageText", 400, "Bad Request: message is not modified")).port.edit(reply, "77")).toEqual({ ok: true });
    expect(await setup(apiError("editMessageText", 400, "Bad Request: message to edit not found")).port.edit(reply, "77")).toMatchObject({
      ok: false,
      retryable: false,
    });
  });

  it("passes a 429's retry_after on and holds the channel for it", async () => {
    const { port, waits } = setup(apiError("editMessageText", 429, "Too Many Requests: retry after 3", { retry_after: 3 }));
    expect(await port.edit(reply, "77")).toMatchObject({ ok: false, retryable: true, retryAfterMs: 3000 });
    expect(waits).toEqual([3000]);
  });

  it("sends nothing while the channel cannot send", async () => {
    const { port, calls } = setup(undefined, "Telegram polling is not running");
    expect(await port.post(reply)).toEqual({ ok: false, retryable: true, error: "Telegram polling is not running" });
    expect(await port.edit(reply, "77")).toMatchObject({ ok: false, retryable: true });
    expect(calls).toEqual([]);
  });
});
