/**
 * Files the agent sends, end to end with a real Docker engine (docs/media.md): `npm start`, the
 * bridge as a process running the agent-runner image, a fake Messages API that has the agent
 * write a PNG with a shell command and then send it with send_file, and the fake Telegram Bot
 * API on 127.0.0.1. The picture arrives with sendPhoto after the answer; a path outside the
 * workspace is refused inside the container and nothing is sent for it.
 */
import { describe, expect, it } from "vitest";
import textPrivate from "../../src/channels/telegram/fixtures/text-private.json";
import { waitFor } from "../support/gateway-process";
import { telegramContainer } from "../support/telegram-container";

const PORT = 10100;
const KEY = "sk-ant-send-file-e2e-7f3a";
/** Its own tag, so this file never swaps the image under another file's runs. */
const IMAGE = "loopgate-agent:send-file-e2e";
const TOKEN = "555000111:AAE2eSendFileTelegramTokenForLoopgate";
/** A 1x1 PNG. */
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

type Json = Record<string, unknown>;

/** The newest tool result in the request, if the last message carries one. */
function lastToolResult(body: Json): string | undefined {
  const last = (body.messages as Json[]).at(-1);
  const blocks = Array.isArray(last?.content) ? (last.content as Json[]) : [];
  const result = blocks.find((b) => b.type === "tool_result");
  return result ? String(result.content) : undefined;
}

/** What the person wrote in this turn: the newest user message from the channel (history comes before it). */
function askedFor(body: Json): string {
  const user = [...(body.messages as Json[])].reverse().find((m) => m.role === "user" && JSON.stringify(m.content).includes("channel_message"));
  return JSON.stringify(user?.content ?? "");
}

describe("files the agent sends, from its container to Telegram", () => {
  const frame = telegramContainer({
    port: PORT,
    apiKey: KEY,
    image: IMAGE,
    token: TOKEN,
    name: "send-file",
    model: {
      // chart: write a PNG, then send it. escape: try to send a file outside the workspace.
      respond: (body) => {
        const result = lastToolResult(body);
        const wantsEscape = askedFor(body).includes("escape");
        if (wantsEscape) return result === undefined ? { kind: "tool_use", name: "send_file", input: { path: "../etc/passwd" } } : undefined;
        if (result === undefined)
          return {
            kind: "tool_use",
            name: "run_command",
            input: { command: `node -e "require('fs').writeFileSync('chart.png', Buffer.from('${PNG_B64}', 'base64'))"` },
          };
        if (result.startsWith("exit code 0")) return { kind: "tool_use", name: "send_file", input: { path: "chart.png" } };
        return undefined;
      },
    },
  });
  const { telegram } = frame;

  let nextMessageId = 3000;
  const say = async (text: string) => {
    const update = structuredClone(textPrivate);
    update.update_id = nextMessageId;
    update.message.message_id = nextMessageId++;
    update.message.text = text;
    expect((await telegram.deliver(update)).status).toBe(200);
    return update.message.message_id;
  };
  const replyTo = async (messageId: number) => {
    await waitFor(async () => telegram.state.sent.some((s) => s.reply_parameters?.message_id === messageId), 90_000, `a reply to ${messageId}`);
    return telegram.state.sent.find((s) => s.reply_parameters?.message_id === messageId)!;
  };

  it("sends the PNG the agent wrote in its workspace with sendPhoto, after the answer", async () => {
    await frame.connect("Telegram files", {
      // An open channel's senders are public: the container tools are granted explicitly.
      tools: ["run_command", "send_file"],
    });

    const asked = await say("draw me a chart");
    const answer = await replyTo(asked);
    expect(answer.text).toContain("chart.png (70 bytes) will be sent after your answer");
    await waitFor(async () => telegram.state.files.length > 0, 30_000, "the photo");
    const [photo] = telegram.state.files;
    expect(photo).toMatchObject({ method: "sendPhoto", part: "photo", filename: "chart.png", reply_parameters: { message_id: asked } });
    expect(Buffer.from(photo!.bytes).toString("base64")).toBe(PNG_B64);
    expect(photo!.message_id).toBeGreaterThan(answer.message_id);
  }, 240_000);

  it("refuses a path outside the workspace inside the container: the agent hears why, nothing is sent", async () => {
    const before = telegram.state.files.length;
    const answer = await replyTo(await say("escape please"));
    expect(answer.text).toContain("path must name a file inside /workspace");
    // The answer and any file rows go out in order: a file would have followed the answer already.
    const control = await replyTo(await say("draw me a chart"));
    expect(control.text).toContain("will be sent after your answer");
    await waitFor(async () => telegram.state.files.length === before + 1, 30_000, "the control photo");
    expect(telegram.state.files.map((f) => f.filename)).toEqual(["chart.png", "chart.png"]);
  }, 240_000);
});
