/**
 * iMessage end to end on a machine that is not a Mac: the gateway (`npm start`) and the bridge
 * (`npm run bridge`) as processes. The channel is created and pushed to the bridge, which
 * refuses it with the reason, shown to the admin as the channel's status; it never calls the
 * BlueBubbles server. (The Mac path runs in-process in bluebubbles.test.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBlueBubblesFake } from "../../../../src/channels/imessage/fake-bluebubbles";
import { serveFake } from "../../../../test/fakes/http-fake-server";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";

const PORT = 9501;
const PASSWORD = "e2e-bluebubbles-password";

describe.skipIf(process.platform === "darwin")("iMessage through a bridge that is not on a Mac", () => {
  const fake = createBlueBubblesFake({ password: PASSWORD });
  let server: Awaited<ReturnType<typeof serveFake>>;
  let gw: GatewayProcess;
  let bridge: BridgeProcess;
  let api: Awaited<ReturnType<typeof setupAdmin>>["api"];
  const dataDir = mkdtempSync(join(tmpdir(), "loopgate-bridge-imessage-"));

  beforeAll(async () => {
    server = await serveFake(fake.handle);
    gw = await startGateway({ port: PORT });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "linux-box" });
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "imessage",
      name: "iMessage",
      policy: "pairing",
      config: { bridgeId: created.body.bridge.id, serverUrl: server.url, password: PASSWORD },
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    expect(JSON.stringify(ch.body)).not.toContain(PASSWORD);
    bridge = startBridge({ url: gw.url, token: created.body.token, dataDir });
  });

  afterAll(async () => {
    await bridge?.stop();
    await gw?.stop();
    await server?.close();
    if (gw) removeState(gw.stateDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reports the channel failed with why and how to run it on the Mac", async () => {
    const list = async () => (await api<{ channels: { type: string; status: string; lastError: string | null }[] }>("GET", "/api/channels")).body.channels;
    await waitFor(async () => (await list()).some((c) => c.type === "imessage" && c.status === "failed"), 30_000, "the imessage channel failed");
    const channel = (await list()).find((c) => c.type === "imessage");
    expect(channel?.lastError).toMatch(/needs a Mac signed in to Messages, and this bridge runs on linux.*npm run bridge/);
    expect(fake.state.calls).toEqual([]);
  });
});
