/** Slack's three-step upload against the fake Web API: the documented encodings, errors as SendResults. */
import { describe, expect, it } from "vitest";
import { createSlackFake } from "./fake-web-api";
import { sendSlackFile } from "./send-file";

const BOT = "xoxb-send-file-test";
const CSV = new TextEncoder().encode("a,b\n1,2\n");

function setup() {
  const fake = createSlackFake({ botToken: BOT, signingSecret: "send-file-signing-secret" });
  const client = { botToken: BOT, apiBase: "https://slack.fake/api", fetch: ((input, init) => fake.handle(new Request(input, init))) as typeof fetch };
  const message = (threadTs?: string) => ({
    recipient: "U1",
    conversationId: "C0FILES",
    text: "",
    deliveryId: "t:0001",
    ...(threadTs ? { replyContext: { threadTs } } : {}),
    file: { name: "totals.csv", mediaType: "text/plain", bytes: CSV },
  });
  return { fake, client, message };
}

describe("sendSlackFile", () => {
  it("uploads the bytes and shares the file in the thread", async () => {
    const { fake, client, message } = setup();
    expect(await sendSlackFile(client, message("1712345678.000100"))).toEqual({ ok: true, platformMessageId: "F0FAKE00001" });
    expect(fake.state.files).toEqual([
      {
        id: "F0FAKE00001",
        filename: "totals.csv",
        title: "totals.csv",
        bytes: CSV,
        channel_id: "C0FILES",
        thread_ts: "1712345678.000100",
        initial_comment: undefined,
      },
    ]);
  });

  it("maps a rate limit on sharing to a retry after Retry-After, and a channel the bot is not in to a failure", async () => {
    const { fake, client, message } = setup();
    fake.failNext("files.completeUploadExternal", { status: 429, retryAfterSeconds: 7, error: "ratelimited" });
    expect(await sendSlackFile(client, message(), 0)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7000 });
    fake.failNext("files.completeUploadExternal", { status: 200, error: "not_in_channel" });
    expect(await sendSlackFile(client, message())).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("not_in_channel") });
    expect(fake.state.files).toEqual([]);
  });
});

describe("the fake's upload checks", () => {
  it("wants getUploadURLExternal form-encoded with a length, and shares only files whose bytes arrived whole", async () => {
    const { fake } = setup();
    const call = (method: string, body: string, type: string) =>
      fake.handle(new Request(`https://slack.fake/api/${method}`, { method: "POST", headers: { authorization: `Bearer ${BOT}`, "content-type": type }, body }));
    expect(await (await call("files.getUploadURLExternal", JSON.stringify({ filename: "a.txt", length: 3 }), "application/json")).json()).toEqual({
      ok: false,
      error: "invalid_arguments",
    });
    const asked = (await (await call("files.getUploadURLExternal", "filename=a.txt&length=3", "application/x-www-form-urlencoded")).json()) as {
      upload_url: string;
      file_id: string;
    };
    const complete = () => call("files.completeUploadExternal", JSON.stringify({ files: [{ id: asked.file_id }], channel_id: "C1" }), "application/json");
    expect(await (await complete()).json()).toEqual({ ok: false, error: "file_not_found" });
    const short = await fake.handle(new Request(asked.upload_url, { method: "POST", body: new Uint8Array([1, 2]) }));
    expect(await short.text()).toBe("OK - 2");
    expect(await (await complete()).json()).toEqual({ ok: false, error: "file_not_found" });
    await fake.handle(new Request(asked.upload_url, { method: "POST", body: new Uint8Array([1, 2, 3]) }));
    expect(await (await complete()).json()).toMatchObject({ ok: true, files: [{ id: asked.file_id, name: "a.txt", size: 3 }] });
  });
});
