/**
 * The bridge's Docker image (bridge/Dockerfile) as a VPS user runs it: built from the
 * repository root, started with only LOOPGATE_URL and LOOPGATE_BRIDGE_TOKEN, it must come up
 * as the unprivileged `node` user and connect to a real gateway (`npm start`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImage, docker, dockerMaybe, prepareDocker } from "../support/docker";
import { apiClient, removeState, setupAdmin, startGateway, waitFor, type GatewayProcess } from "../support/gateway-process";

const PORT = 8921;
const IMAGE = "loopgate-bridge:e2e";
const CONTAINER = "loopgate-bridge-e2e";

describe("the bridge's Docker image", () => {
  let gw: GatewayProcess;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    prepareDocker();
    dockerMaybe("rm", "-f", CONTAINER);
    // Built before the gateway starts: a build blocks this process for a while (a first one
    // installs the runtime dependencies from the npm registry; later ones hit the layer cache).
    buildImage(IMAGE, ".", "bridge/Dockerfile");
    gw = await startGateway({ port: PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
  }, 600_000);

  afterAll(async () => {
    dockerMaybe("rm", "-f", "-v", CONTAINER);
    await gw?.stop();
    if (gw) removeState(gw.stateDir);
  });

  it("starts as the node user and connects to the gateway with its token", async () => {
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "image-test" });
    expect(created.status).toBe(201);
    const { token } = created.body;
    const id = created.body.bridge.id;
    // Host networking: the gateway listens on the host's loopback, as a gateway on the same VPS would.
    docker(
      "run",
      "-d",
      "--name",
      CONTAINER,
      "--network",
      "host",
      "-e",
      `LOOPGATE_URL=${gw.url}`,
      "-e",
      `LOOPGATE_BRIDGE_TOKEN=${token}`,
      "-e",
      "LOOPGATE_BRIDGE_HEARTBEAT_MS=1000",
      IMAGE,
    );
    await waitFor(
      async () => (await api<{ bridge: { connected: boolean; status: string } }>("GET", `/api/bridges/${id}`)).body.bridge.connected,
      60_000,
      `the bridge in its container connected\n${dockerMaybe("logs", CONTAINER) ?? ""}`,
    );
    expect((await api<{ bridge: { status: string } }>("GET", `/api/bridges/${id}`)).body.bridge.status).toBe("up");

    const inspected = (
      JSON.parse(docker("inspect", CONTAINER)) as { Config: { User: string }; State: { Running: boolean }; Mounts: { Destination: string }[] }[]
    )[0]!;
    expect(inspected.State.Running).toBe(true);
    expect(inspected.Config.User).toBe("node");
    expect(inspected.Mounts.map((m) => m.Destination)).toContain("/data");
    const logs = dockerMaybe("logs", CONTAINER) ?? "";
    expect(logs).toContain('"msg":"connected to the gateway"');
    expect(logs).not.toContain(token);

    // A stop is clean: the gateway sees the link go away and the container exits 0.
    docker("stop", "-t", "10", CONTAINER);
    expect(docker("inspect", "--format", "{{.State.ExitCode}}", CONTAINER)).toBe("0");
    await waitFor(async () => !(await api<{ bridge: { connected: boolean } }>("GET", `/api/bridges/${id}`)).body.bridge.connected, 30_000, "the link closed");
  });
});
