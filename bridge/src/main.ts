/**
 * `npm run bridge`: the Loopgate bridge. Configured by the environment:
 * LOOPGATE_URL (the gateway), LOOPGATE_BRIDGE_TOKEN (from POST /api/bridges),
 * LOOPGATE_BRIDGE_DATA (its state folder, default ./bridge-data), LOOPGATE_BRIDGE_HEARTBEAT_MS.
 */
import { resolve } from "node:path";
import { Bridge } from "./bridge";
import { loadBridgeChannels } from "./channels/registry";
import { readContainerSettings } from "./containers/settings";
import { checkLoopSupport } from "./containers/loop-workspaces";
import { createLogger } from "../../src/lib/log";
import { MAX_HEARTBEAT_MS, MIN_HEARTBEAT_MS } from "../../src/protocol/bridge";

const log = createLogger("bridge");

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    log.error(`${name} is not set`, { help: "see docs/bridge.md" });
    process.exit(2);
  }
  return value;
}

const url = required("LOOPGATE_URL");
if (!/^https?:\/\//.test(url)) {
  log.error("LOOPGATE_URL must be the gateway's http(s) base URL", { url });
  process.exit(2);
}
const heartbeatMs = Number(process.env.LOOPGATE_BRIDGE_HEARTBEAT_MS ?? 15_000);
if (!Number.isInteger(heartbeatMs) || heartbeatMs < MIN_HEARTBEAT_MS || heartbeatMs > MAX_HEARTBEAT_MS) {
  log.error(`LOOPGATE_BRIDGE_HEARTBEAT_MS must be an integer between ${MIN_HEARTBEAT_MS} and ${MAX_HEARTBEAT_MS}`, {});
  process.exit(2);
}

const containers = readContainerSettings(process.env);
if (!containers.ok) {
  log.error(`invalid container setting: ${containers.error}`, { help: "see docs/containers.md" });
  process.exit(2);
}

const token = required("LOOPGATE_BRIDGE_TOKEN");
const dataDir = resolve(process.env.LOOPGATE_BRIDGE_DATA ?? "bridge-data");
if (containers.settings.workspaceFilesystem === "loop") {
  // Refused now rather than failing every run later: the host must be able to mount the images.
  const unsupported = await checkLoopSupport(dataDir);
  if (unsupported) {
    log.error(unsupported, { help: "see docs/containers.md, Workspace quota" });
    process.exit(2);
  }
}

await loadBridgeChannels(log);

const bridge = new Bridge({
  url,
  token,
  dataDir,
  heartbeatMs,
  version: "0.1.0",
  log,
  containers: containers.settings,
});
bridge.start();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log.info("stopping", { signal });
    void bridge.stop().finally(() => process.exit(0));
  });
}
