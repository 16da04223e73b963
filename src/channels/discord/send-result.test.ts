/** How a Discord API answer becomes a delivery outcome: what is retried, and after how long. */
import { describe, expect, it } from "vitest";
import { discordSendResult } from "./api";

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers });

describe("discordSendResult", () => {
  it("retries Unknown Webhook (10015) shortly: the deferred answer may not have reached Discord yet", async () => {
    expect(await discordSendResult(answer(404, { message: "Unknown Webhook", code: 10015 }))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1000 });
  });

  it("takes any other 4xx as final, a 5xx as retryable, and a 429's retry_after in seconds", async () => {
    expect(await discordSendResult(answer(404, { message: "Unknown Channel", code: 10003 }))).toMatchObject({ ok: false, retryable: false });
    expect(await discordSendResult(answer(502, { message: "bad gateway" }))).toMatchObject({ ok: false, retryable: true });
    expect(await discordSendResult(answer(429, { message: "You are being rate limited.", retry_after: 1.5, global: false }))).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 1500,
    });
    expect(await discordSendResult(answer(200, { id: "1234" }))).toEqual({ ok: true, platformMessageId: "1234" });
  });
});
