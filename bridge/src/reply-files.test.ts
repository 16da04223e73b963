/**
 * The bridge's side of a file reply (reply-files.ts): the bytes fetched from the gateway with the
 * bridge token, checked against the announced size, uploaded with the channel's `sendFile`; the
 * line naming the file when the channel has no uploads, the gateway no longer has the file, or
 * the platform refuses it for good; a retry when the gateway or the platform is only unreachable.
 */
import { describe, expect, it } from "vitest";
import type { BridgeReply } from "../../src/protocol/bridge";
import type { Logger } from "../../src/lib/log";
import type { DeliveryOutcome, ReplyFileBytes, RunningChannel } from "./channels/shared/types";
import { ReplyFiles } from "./reply-files";

const BYTES = new TextEncoder().encode("month,total\nJuly,12\n");
const reply: BridgeReply = {
  id: "dlv_1:file:0",
  channelId: "ch_1",
  recipient: "u1",
  text: "(The assistant made a file for you, totals.csv (20 B), but it could not be attached on this channel.)",
  file: { name: "totals.csv", mediaType: "text/plain", size: BYTES.length },
};
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function gateway(answer: () => Response | Promise<Response>) {
  const seen: { url: string; auth: string | null }[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(input), auth: new Headers(init?.headers).get("authorization") });
    return answer();
  }) as typeof fetch;
  return { files: new ReplyFiles("http://gw.test/", "lgb_token", quiet, fetchFn), seen };
}

function channel(upload?: DeliveryOutcome) {
  const texts: string[] = [];
  const uploads: ReplyFileBytes[] = [];
  const running: RunningChannel = {
    send: async (r) => (texts.push(r.text), { ok: true }),
    stop: async () => undefined,
    ...(upload ? { sendFile: async (_r: BridgeReply, f: ReplyFileBytes) => (uploads.push(f), upload) } : {}),
  };
  return { running, texts, uploads };
}

describe("file replies on the bridge", () => {
  it("fetches the bytes with the bridge token and uploads them", async () => {
    const { files, seen } = gateway(() => new Response(BYTES));
    const ch = channel({ ok: true });
    expect(await files.deliver(ch.running, reply)).toEqual({ ok: true });
    expect(seen).toEqual([{ url: "http://gw.test/bridge/files/dlv_1%3Afile%3A0", auth: "Bearer lgb_token" }]);
    expect(ch.uploads).toEqual([{ name: "totals.csv", mediaType: "text/plain", bytes: BYTES }]);
    expect(ch.texts).toEqual([]);
  });

  it("sends the line on a channel without uploads, without fetching", async () => {
    const { files, seen } = gateway(() => new Response(BYTES));
    const ch = channel();
    expect(await files.deliver(ch.running, reply)).toEqual({ ok: true });
    expect(seen).toEqual([]);
    expect(ch.texts).toEqual([reply.text]);
  });

  it("sends the line when the gateway no longer has the file", async () => {
    for (const status of [403, 404, 410]) {
      const { files } = gateway(() => Response.json({ error: "gone" }, { status }));
      const ch = channel({ ok: true });
      expect(await files.deliver(ch.running, reply)).toEqual({ ok: true });
      expect(ch.uploads).toEqual([]);
      expect(ch.texts).toEqual([reply.text]);
    }
  });

  it("retries when the gateway fails, or the transfer is cut short", async () => {
    for (const answer of [() => new Response("oops", { status: 503 }), () => new Response(BYTES.slice(0, 5)), () => Promise.reject(new Error("ECONNRESET"))]) {
      const { files } = gateway(answer);
      const ch = channel({ ok: true });
      const outcome = await files.deliver(ch.running, reply);
      expect(outcome).toMatchObject({ ok: false, retryable: true });
      expect(ch.texts).toEqual([]);
    }
  });

  it("sends the line when the platform refuses the file for good, and retries what it may take later", async () => {
    const refused = channel({ ok: false, retryable: false, error: "too large" });
    expect(await gateway(() => new Response(BYTES)).files.deliver(refused.running, reply)).toEqual({ ok: true });
    expect(refused.texts).toEqual([reply.text]);
    const limited = channel({ ok: false, retryable: true, error: "429" });
    expect(await gateway(() => new Response(BYTES)).files.deliver(limited.running, reply)).toMatchObject({ ok: false, retryable: true });
    expect(limited.texts).toEqual([]);
  });

  it("sends a reply without a file as text", async () => {
    const { files, seen } = gateway(() => new Response(BYTES));
    const ch = channel({ ok: true });
    const { file: _none, ...plain } = reply;
    expect(await files.deliver(ch.running, { ...plain, text: "hello" })).toEqual({ ok: true });
    expect(seen).toEqual([]);
    expect(ch.texts).toEqual(["hello"]);
  });
});
