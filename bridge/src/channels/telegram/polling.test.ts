/**
 * The poller's pieces without a network: the offset and stand-aside marker on disk across
 * restarts (and not carried over to another bot), and how Bot API failures steer the loop.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GrammyError, HttpError } from "grammy/web";
import { afterEach, describe, expect, it } from "vitest";
import { pollFailure } from "./poll-failure";
import { PollState } from "./poll-state";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "loopgate-tg-poll-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const apiError = (error_code: number, description: string, parameters = {}) =>
  new GrammyError("Call to 'getUpdates' failed!", { ok: false, error_code, description, parameters }, "getUpdates", {});

describe("PollState", () => {
  it("keeps the offset and the webhook it stood aside for across restarts, only ever moving the offset forward", () => {
    const dir = tempDir();
    const first = new PollState(dir, 42);
    expect(first.offset).toBeUndefined();
    first.saveOffset(101);
    first.saveOffset(99);
    first.standAside("https://gw.example/hooks/ch_1");
    const again = new PollState(dir, 42);
    expect(again.offset).toBe(101);
    expect(again.standingAsideFor).toBe("https://gw.example/hooks/ch_1");
    again.standAside(undefined);
    expect(new PollState(dir, 42).standingAsideFor).toBeUndefined();
  });

  it("starts afresh for another bot's token", () => {
    const dir = tempDir();
    new PollState(dir, 42).saveOffset(500);
    expect(new PollState(dir, 43).offset).toBeUndefined();
  });
});

describe("pollFailure", () => {
  it("gives up on a token Telegram rejects", () => {
    expect(pollFailure(apiError(401, "Unauthorized"))).toMatchObject({ kind: "final", reason: expect.stringContaining("@BotFather") });
    expect(pollFailure(apiError(404, "Not Found")).kind).toBe("final");
  });

  it("stands aside for a webhook, but retries when another poller took the bot", () => {
    expect(
      pollFailure(apiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")).kind,
    ).toBe("webhook");
    expect(pollFailure(apiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"))).toMatchObject({
      kind: "retry",
      reason: expect.stringContaining("another program is polling"),
    });
  });

  it("waits Telegram's retry_after on 429 and retries network errors with backoff", () => {
    expect(pollFailure(apiError(429, "Too Many Requests: retry after 7", { retry_after: 7 }))).toEqual({
      kind: "retry",
      reason: "Telegram rate limit (retry after 7s)",
      afterMs: 7000,
    });
    const network = pollFailure(new HttpError("Network request for 'getUpdates' failed!", new Error("ECONNREFUSED")));
    expect(network).toMatchObject({ kind: "retry" });
    expect(network).not.toHaveProperty("afterMs");
  });
});
