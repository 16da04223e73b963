/**
 * Mattermost files over the WebSocket, end to end: the gateway (`npm start`, the fake Messages
 * API as its model) and the bridge as processes, against the fake Mattermost. A DM with a photo
 * arrives as a `posted` event whose post carries `file_ids` and `metadata.files`; the bridge
 * passes a `mattermost-file:` reference, and the gateway downloads the photo from the channel's
 * server with the bot token, so the model gets an image block. A PDF whose info declares 40 MB
 * gets the clear reply, with no download and no model call.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MattermostWebSocketFake, startMattermostWebSocketFake } from "./fake-websocket";
import { mattermostId } from "../../../../src/channels/mattermost/fake-server";
import { type FakeAnthropic, startFakeAnthropic } from "../../../../test/fakes/anthropic-messages";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";

const PORT = 10452;
const KEY = "sk-ant-e2e-mattermost-ws-media-71d0";
const BOT_TOKEN = "e2emattermostwsmediatoken0";
const PHOTO = readFileSync(new URL("../../../../src/channels/telegram/fixtures/photo.jpg", import.meta.url));
const PDF = readFileSync(new URL("../../../../src/channels/telegram/fixtures/document.pdf", import.meta.url));

type Block = { type: string; text?: string; source?: { type: string; media_type: string; data: string } };

describe("Mattermost WebSocket files through the bridge", () => {
  let mm: MattermostWebSocketFake;
  let model: FakeAnthropic;
  let gw: GatewayProcess;
  let bridge: BridgeProcess;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-mattermost-media-"));
  const alice = mattermostId();
  const dmChannel = mattermostId();
  const lastUserBlocks = () => (model.answered().at(-1)!.body.messages as { content: Block[] }[]).at(-1)!.content;
  /** Alice's DM with files; the bot's answer once it is posted. */
  async function dmWithFiles(text: string, uploads: Parameters<MattermostWebSocketFake["rest"]["userPostWithFiles"]>[2]) {
    const before = mm.rest.state.posts.length;
    mm.rest.userPostWithFiles(dmChannel, text, uploads, alice);
    await waitFor(async () => mm.rest.state.posts.length > before, 30_000, `an answer to "${text}"`);
    return mm.rest.state.posts.at(-1)!.message;
  }

  beforeAll(async () => {
    mm = await startMattermostWebSocketFake({ botToken: BOT_TOKEN });
    mm.state.usernames.set(alice, "alice");
    mm.rest.addBotTo(dmChannel, "D");
    model = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
    gw = await startGateway({ port: PORT, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: model.url, AGENT_RETRY_BASE_MS: "50" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "mattermost-media-host" });
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "mattermost-ws",
      name: "Mattermost",
      policy: "open",
      config: { bridgeId: created.body.bridge.id, serverUrl: mm.url, botToken: BOT_TOKEN },
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    bridge = startBridge({ url: gw.url, token: created.body.token, dataDir });
    const channelId = ch.body.channel.id;
    await waitFor(
      async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${channelId}`)).body.channel.status === "connected",
      30_000,
      "mattermost-ws channel connected",
    );
  });

  afterAll(async () => {
    await bridge?.stop();
    await gw?.stop();
    await model?.close();
    await mm?.close();
    if (gw) removeState(gw.stateDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows a photo sent in a DM to the model, downloaded by the gateway with the bot token", async () => {
    const reply = await dmWithFiles("what is on this whiteboard?", [{ name: "whiteboard.jpg", type: "image/jpeg", bytes: PHOTO }]);
    expect(reply).toMatch(/I see 1 image \(image\/jpeg 48x32\)/);
    expect(lastUserBlocks()[0]).toEqual({ type: "image", source: { type: "base64", media_type: "image/jpeg", data: PHOTO.toString("base64") } });
    expect(lastUserBlocks().at(-1)!.text).toContain("what is on this whiteboard?\n[file: whiteboard.jpg]");
    expect(mm.rest.downloads()).toBe(1);
  });

  it("refuses a PDF over the limit from its declared size, with no download and no model call", async () => {
    const answered = model.answered().length;
    const reply = await dmWithFiles("", [{ name: "archive.pdf", type: "application/pdf", bytes: PDF, declaredSize: 40 * 1024 * 1024 }]);
    expect(reply).toBe('I could not take that message: "archive.pdf" is 40 MB; PDFs can be at most 32 MB. Nothing was sent to the assistant.');
    expect(model.answered().length).toBe(answered);
    expect(mm.rest.downloads()).toBe(1);
  });
});
