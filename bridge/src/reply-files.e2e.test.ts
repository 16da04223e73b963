/**
 * Files the agent sends, on bridge-served channels, end to end (docs/media.md): the gateway
 * (`npm start`) with the fake Messages API, whose code-execution run leaves a file the Files API
 * serves; the bridge as a process serving a Telegram long-polling channel and a Slack Socket Mode
 * channel. The reply frame names the file, the bridge fetches it from `GET /bridge/files/<id>`
 * with its token and uploads it with each platform's API (Telegram sendPhoto multipart, Slack's
 * external upload shared in the thread), byte for byte, once, also when the bridge is killed
 * while the platform is failing and started again.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import appMention from "../../src/channels/slack/fixtures/app-mention.json";
import { createTelegramFake } from "../../src/channels/telegram/fake-bot-api";
import textPrivate from "../../src/channels/telegram/fixtures/text-private.json";
import { startFakeAnthropic, type FakeAnthropic } from "../../test/fakes/anthropic-messages";
import { serveFake } from "../../test/fakes/http-fake-server";
import { type BridgeGatewayParts, startBridgeGateway, stopBridgeGateway, telegramPollingChannel } from "../../test/support/bridge-gateway";
import type { BridgeProcess } from "../../test/support/bridge-process";
import { type setupAdmin, waitFor } from "../../test/support/gateway-process";
import { type SlackSocketModeFake, startSlackSocketModeFake } from "./channels/slack/fake-socket-mode";
import { bashExecutionCall } from "../../test/fakes/anthropic-server-blocks";

const PORT = 10650;
const KEY = "sk-ant-e2e-bridge-files-5c1d";
const TG_TOKEN = "123456781:AAE2eFakeTelegramBridgeFilesToken";
const SLACK_BOT = "xoxb-e2e-bridge-files-0000-fake";
const SLACK_APP = "xapp-1-A0FAKEFILES-0000-fake";
/** A 1x1 PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const CSV = Buffer.from("month,total\nJuly,12\nAugust,19\n");
const AGENT = { serverTools: { codeExecution: {}, publicSenders: true } };

/** A code run that leaves a file (its id in the result, as the API reports it), then the answer. */
const runLeaving = (fileId: string, answer: string) => [...bashExecutionCall("python3 make.py", "saved", [fileId]), { type: "text", text: answer }];

describe("files the agent sends, through the bridge", () => {
  const telegram = createTelegramFake({ token: TG_TOKEN });
  let slack: SlackSocketModeFake;
  let anthropic: FakeAnthropic;
  let server: Awaited<ReturnType<typeof serveFake>>;
  let bridge: BridgeProcess;
  let runBridge: () => BridgeProcess;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  const parts: BridgeGatewayParts = { dataDir: mkdtempSync(join(tmpdir(), "loopgate-bridge-files-")), fakes: [] };
  let nextId = 60_000;

  const sayOnTelegram = (text: string) => {
    const update = structuredClone(textPrivate);
    update.update_id = nextId;
    update.message.message_id = nextId++;
    update.message.text = text;
    telegram.enqueue(update);
    return update.message.message_id;
  };
  const filesTo = (messageId: number) => telegram.state.files.filter((f) => f.reply_parameters?.message_id === messageId);
  const textsTo = (messageId: number) => telegram.state.sent.filter((s) => s.reply_parameters?.message_id === messageId);

  beforeAll(async () => {
    [anthropic, server, slack] = await Promise.all([
      startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 }),
      serveFake(telegram.handle),
      startSlackSocketModeFake({ botToken: SLACK_BOT, appToken: SLACK_APP }),
    ]);
    parts.fakes.push(server, anthropic, slack);
    ({ api, bridge, runBridge } = await startBridgeGateway(
      {
        port: PORT,
        env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, AGENT_RETRY_BASE_MS: "50", API_RATE_LIMIT_PER_MINUTE: "100000" },
        bridgeName: "files-lab",
        channels: (bridgeId) => [
          { ...telegramPollingChannel(bridgeId, TG_TOKEN, server.url), agent: AGENT },
          {
            type: "slack-socket",
            name: "Slack (Socket Mode)",
            policy: "open",
            agent: AGENT,
            config: { bridgeId, botToken: SLACK_BOT, appToken: SLACK_APP, apiBase: slack.apiUrl },
          },
        ],
      },
      parts,
    ));
  });

  afterAll(() => stopBridgeGateway(parts));

  it("uploads a chart on Telegram long polling with sendPhoto, after the answer, as a reply", async () => {
    anthropic.addFile("file_011TgChartPng", "outputs/chart.dat", PNG);
    anthropic.enqueue({ kind: "blocks", content: runLeaving("file_011TgChartPng", "Here is your chart.") });
    const id = sayOnTelegram("plot my steps");
    await waitFor(async () => filesTo(id).length > 0, 40_000, "the chart on Telegram");
    expect(textsTo(id).map((s) => s.text)).toEqual(["Here is your chart."]);
    const [file] = filesTo(id);
    expect(file).toMatchObject({ method: "sendPhoto", part: "photo", chat_id: "1111111", filename: "chart.dat" });
    expect(Buffer.from(file!.bytes)).toEqual(PNG);
    // Fetched with the bridge token; once acknowledged, the gateway no longer hands it out.
    expect(bridge.output()).not.toContain("sending its name instead");
  });

  it("shares a CSV in the Slack thread with the external upload", async () => {
    anthropic.addFile("file_011SlackCsv", "totals.csv", CSV, "text/csv");
    anthropic.enqueue({ kind: "blocks", content: runLeaving("file_011SlackCsv", "Totals attached.") });
    await waitFor(async () => slack.connected === 1, 30_000, "the Socket Mode connection");
    slack.deliver(appMention);
    await waitFor(async () => slack.web.state.files.length > 0, 40_000, "the CSV on Slack");
    const [shared] = slack.web.state.files;
    expect(shared).toMatchObject({ filename: "totals.csv", channel_id: "C123ABC456", thread_ts: "1515449522.000016" });
    expect(Buffer.from(shared!.bytes)).toEqual(CSV);
    const calls = slack.web.state.calls.map((c) => c.method);
    expect(calls.indexOf("files.getUploadURLExternal")).toBeLessThan(calls.indexOf("files.completeUploadExternal"));
    expect(slack.web.state.calls.find((c) => c.method === "files.getUploadURLExternal")?.body).toEqual({ filename: "totals.csv", length: String(CSV.length) });
  });

  it("uploads once when the bridge is killed while Telegram fails, and started again", async () => {
    const attempts = () => telegram.state.calls.filter((c) => c.method === "sendPhoto").length;
    const before = attempts();
    telegram.failNext("sendPhoto", { status: 502, body: { ok: false, error_code: 502, description: "Bad Gateway" } }, 4);
    anthropic.addFile("file_011TgRetryPng", "retry.png", PNG);
    anthropic.enqueue({ kind: "blocks", content: runLeaving("file_011TgRetryPng", "Second chart.") });
    const id = sayOnTelegram("again please");
    await waitFor(async () => attempts() >= before + 2, 40_000, "two refused uploads");
    await bridge.kill();
    bridge = runBridge();
    await waitFor(async () => filesTo(id).length > 0, 40_000, "the chart after the restart");
    // One more message answered with a file: everything before it has settled.
    anthropic.addFile("file_011TgControl", "control.png", PNG);
    anthropic.enqueue({ kind: "blocks", content: runLeaving("file_011TgControl", "Control.") });
    const control = sayOnTelegram("control");
    await waitFor(async () => filesTo(control).length > 0, 40_000, "the control file");
    expect(filesTo(id)).toHaveLength(1);
    expect(textsTo(id).map((s) => s.text)).toEqual(["Second chart."]);
    expect(Buffer.from(filesTo(id)[0]!.bytes)).toEqual(PNG);
  });
});
