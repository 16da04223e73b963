/**
 * Files the code-execution server tool creates in a container turn, end to end with a real
 * Docker engine (docs/media.md, docs/containers.md): `npm start` (no model key), the bridge as a
 * process holding the key and running the agent-runner image, the fake Messages API (which also
 * serves the Files API, checking the key and the beta header) and the fake Telegram Bot API.
 * The model's code run leaves a PNG and names a file that is gone: the PNG reaches the person
 * with sendPhoto after the answer, byte for byte, downloaded by the bridge; the missing one is
 * skipped with an `agent.file_skipped` event and the answer still goes out.
 */
import { describe, expect, it } from "vitest";
import textPrivate from "../../src/channels/telegram/fixtures/text-private.json";
import { bashExecutionCall } from "../fakes/anthropic-server-blocks";
import { waitFor } from "../support/gateway-process";
import { telegramContainer } from "../support/telegram-container";

const PORT = 10850;
const KEY = "sk-ant-container-code-files-e2e-5d81";
/** Its own tag, so this file never swaps the image under another file's runs. */
const IMAGE = "loopgate-agent:code-files-e2e";
const TOKEN = "555000222:AAE2eCodeFilesTelegramTokenForLoopgate";
/** A 1x1 PNG. */
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const CHART = "file_011CNha8iCJcU1wXNR6q4V8w";
const GONE = "file_011CPMxVD3fHLUhvTqtsQA5w";

type Json = Record<string, unknown>;

describe("files code execution creates in a container turn, to Telegram", () => {
  const frame = telegramContainer({ port: PORT, apiKey: KEY, image: IMAGE, token: TOKEN, name: "code-files" });
  const { telegram } = frame;

  it("sends the PNG code execution made with sendPhoto after the answer, and skips a file that is gone with a feed event", async () => {
    const { api, channel } = await frame.connect("Telegram code files", {
      // An open channel's senders are public: code execution is offered to them explicitly.
      serverTools: { codeExecution: {}, publicSenders: true },
    });
    const channelId = channel.id;
    const model = frame.model;

    model.addFile(CHART, "chart.png", Buffer.from(PNG_B64, "base64"), "image/png");
    const from = model.requests.length;
    model.enqueue({
      kind: "blocks",
      content: [...bashExecutionCall("python3 chart.py", "saved chart.png", [CHART, GONE]), { type: "text", text: "Here is your sales chart." }],
    });
    const update = structuredClone(textPrivate);
    update.update_id = 4100;
    update.message.message_id = 4100;
    update.message.text = "chart my sales";
    expect((await telegram.deliver(update)).status).toBe(200);

    await waitFor(async () => telegram.state.files.length > 0, 120_000, "the photo");
    const answer = telegram.state.sent.find((s) => s.reply_parameters?.message_id === 4100 && s.text !== undefined);
    expect(answer?.text).toBe("Here is your sales chart.");
    const [photo, ...others] = telegram.state.files;
    expect(others).toEqual([]);
    expect(photo).toMatchObject({ method: "sendPhoto", part: "photo", filename: "chart.png", reply_parameters: { message_id: 4100 } });
    expect(Buffer.from(photo!.bytes).toString("base64")).toBe(PNG_B64);
    expect(photo!.message_id).toBeGreaterThan(answer!.message_id);

    // The bridge's proxy offered code execution with its beta; the bridge fetched the files with its key and the Files API beta.
    const turn = model.requests.slice(from).filter((r) => r.raw !== "");
    expect(turn).toHaveLength(1);
    // Besides the gateway's own client tools (no `type`), code execution, added by the bridge.
    expect((turn[0]!.body.tools as Json[]).filter((t) => t.type !== undefined)).toEqual([{ type: "code_execution_20250825", name: "code_execution" }]);
    expect(turn[0]!.headers["anthropic-beta"]).toBe("code-execution-2025-08-25");
    const files = model.requests.slice(from).filter((r) => r.raw === "");
    expect(files.map((r) => [r.status, r.headers["x-api-key"], r.headers["anthropic-beta"]])).toEqual([
      [200, KEY, "files-api-2025-04-14"],
      [200, KEY, "files-api-2025-04-14"],
      [404, KEY, "files-api-2025-04-14"],
    ]);

    const skipped = await api<{ events: { detail: Json }[] }>("GET", `/api/events?kind=agent.file_skipped&channelId=${channelId}`);
    expect(skipped.body.events.map((e) => e.detail)).toEqual([expect.objectContaining({ mode: "container", fileId: GONE, reason: "metadata: HTTP 404" })]);
    const finished = await api<{ events: { detail: Json }[] }>("GET", `/api/events?kind=container.finished&channelId=${channelId}`);
    expect(finished.body.events[0]?.detail).toMatchObject({ outcome: "answered", files: [{ name: "chart.png", mediaType: "image/png", size: 70 }] });
  }, 300_000);
});
