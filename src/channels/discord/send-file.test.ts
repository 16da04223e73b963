/** Discord uploads against the fake: payload_json with files[n], the 10 MiB limit, errors as SendResults. */
import { describe, expect, it } from "vitest";
import { createDiscordFake, rateLimited } from "./fake-api";
import { sendDiscordChannelFile, sendDiscordFile } from "./send-file";

const APP = "323456789012345678";
const BOT = "bot-send-file";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

async function setup() {
  const fake = await createDiscordFake({ applicationId: APP, botToken: BOT });
  const client = { apiBase: "https://discord.fake/api/v10", fetch: ((input, init) => fake.handle(new Request(input, init))) as typeof fetch };
  const message = { recipient: "555", text: "", deliveryId: "t:0001", file: { name: "chart.png", mediaType: "image/png", bytes: PNG } };
  return { fake, client, message };
}

describe("sendDiscordFile", () => {
  it("without an interaction, posts the file in the person's DM with the bot token", async () => {
    const { fake, client, message } = await setup();
    expect(await sendDiscordFile(client, { applicationId: APP, botToken: BOT, userId: "555" }, message)).toMatchObject({ ok: true });
    expect(fake.state.messages).toEqual([
      expect.objectContaining({ kind: "dm", channel_id: "dm-555", attachments: [{ id: 0, part: "files[0]", filename: "chart.png", bytes: PNG }] }),
    ]);
  });

  it("an expired interaction token fails for good; a 429 is retried after retry_after", async () => {
    const { fake, client, message } = await setup();
    const target = { applicationId: APP, botToken: BOT, userId: "555", interactionToken: "never-deferred" };
    expect(await sendDiscordFile(client, target, message)).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("50027") });
    fake.failNext("POST /channels/dm-555/messages", rateLimited(1.5));
    expect(await sendDiscordFile(client, { ...target, interactionToken: undefined }, message)).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 1500,
    });
  });

  it("posts the file in a channel with the bot token (a reply over the gateway, through the bridge)", async () => {
    const { fake, client, message } = await setup();
    expect(await sendDiscordChannelFile({ ...client, botToken: BOT }, "1100000000000000001", message)).toMatchObject({ ok: true });
    expect(fake.state.messages).toEqual([
      expect.objectContaining({ channel_id: "1100000000000000001", attachments: [{ id: 0, part: "files[0]", filename: "chart.png", bytes: PNG }] }),
    ]);
    expect(await sendDiscordChannelFile({ ...client, botToken: "wrong" }, "1100000000000000001", message)).toMatchObject({ ok: false, retryable: false });
  });

  it("refuses a file over 10 MiB without sending it", async () => {
    const { fake, client, message } = await setup();
    const big = { ...message, file: { ...message.file, bytes: new Uint8Array(10 * 1024 * 1024 + 1) } };
    expect(await sendDiscordFile(client, { applicationId: APP, botToken: BOT, userId: "555" }, big)).toMatchObject({ ok: false, retryable: false });
    expect(fake.state.messages).toEqual([]);
  });
});

describe("the fake's upload checks", () => {
  const post = (fake: Awaited<ReturnType<typeof createDiscordFake>>, form: FormData) =>
    fake.handle(new Request("https://discord.fake/api/v10/channels/dm-1/messages", { method: "POST", headers: { authorization: `Bot ${BOT}` }, body: form }));

  it("answers 413 (code 40005) over 10 MiB and 400 for an attachment without its files[n] part", async () => {
    const { fake } = await setup();
    const big = new FormData();
    big.set("payload_json", JSON.stringify({ attachments: [{ id: 0, filename: "big.bin" }] }));
    big.set("files[0]", new File([new Uint8Array(10 * 1024 * 1024 + 1)], "big.bin"));
    const res = await post(fake, big);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: "Request entity too large", code: 40005 });
    const orphan = new FormData();
    orphan.set("payload_json", JSON.stringify({ attachments: [{ id: 1, filename: "a.png" }] }));
    orphan.set("files[0]", new File([PNG], "a.png"));
    const missing = await post(fake, orphan);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 50035 });
    const badName = new FormData();
    badName.set("payload_json", JSON.stringify({ content: "x" }));
    badName.set("file", new File([PNG], "a.png"));
    expect((await post(fake, badName)).status).toBe(400);
  });
});
