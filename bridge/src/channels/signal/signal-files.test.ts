/**
 * Files the agent sends, on Signal (docs/media.md): the bridge's Signal channel hands the file to
 * signal-cli's JSON-RPC `send` as an `attachments` data URI with its file name, quoting the
 * message answered, against the fake daemon, which decodes it as signal-cli does and refuses an
 * attachment it cannot read (a path that is not on its machine).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { RunningChannel } from "../shared/types";
import { startFakeSignalCli } from "./fake-signal-cli";
import { signalChannel } from "./signal";

const ACCOUNT = "+15550001111";
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

describe("files on Signal", () => {
  let fake: Awaited<ReturnType<typeof startFakeSignalCli>>;
  let channel: RunningChannel;
  let state = "";

  beforeAll(async () => {
    fake = await startFakeSignalCli(ACCOUNT);
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    channel = signalChannel.start(
      { id: "ch_signal", type: "signal", name: "Signal", config: { bridgeId: "brg_files", account: ACCOUNT, daemon: fake.address } },
      { receive: () => undefined, state: (s) => void (state = s), log, dataDir: "/nonexistent" },
    );
    for (let i = 0; i < 100 && state !== "connected"; i++) await new Promise((r) => setTimeout(r, 50));
    expect(state).toBe("connected");
  });

  afterAll(async () => {
    await channel?.stop();
    await fake?.close();
  });

  const reply: BridgeReply = {
    id: "dlv_signal:file:0",
    channelId: "ch_signal",
    recipient: "+15552223333",
    text: "(The assistant made a file for you, chart.png (70 B), but it could not be attached on this channel.)",
    replyContext: { timestamp: "1700000000000", author: "+15552223333" },
    file: { name: "chart.png", mediaType: "image/png", size: PNG.length },
  };

  it("sends the file as a data URI attachment, quoting the message answered", async () => {
    const outcome = await channel.sendFile!(reply, { name: "chart png.png", mediaType: "image/png", bytes: Uint8Array.from(PNG) });
    expect(outcome).toEqual({ ok: true });
    const sent = fake.sent.at(-1)!;
    expect(sent).toMatchObject({ recipient: ["+15552223333"], message: "", quoteTimestamp: 1700000000000, quoteAuthor: "+15552223333" });
    expect(sent.attachments).toEqual([{ mediaType: "image/png", filename: "chart png.png", bytes: PNG }]);
  });

  it("sends to a group by its id", async () => {
    const outcome = await channel.sendFile!(
      { ...reply, conversationId: "group:Z3JvdXBpZA==" },
      { name: "t.csv", mediaType: "text/plain", bytes: Uint8Array.from(Buffer.from("a,b\n")) },
    );
    expect(outcome).toEqual({ ok: true });
    expect(fake.sent.at(-1)).toMatchObject({ groupId: "Z3JvdXBpZA==", attachments: [{ mediaType: "text/plain", filename: "t.csv" }] });
  });
});
