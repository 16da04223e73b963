/**
 * The bridge's idle memory: `npm run bridge`'s program connected to the running gateway with a
 * freshly minted bridge token, left alone for a few seconds, then its resident memory read.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, source, spawnDev, tempDir } from "./dev-process";
import { sampleTree } from "./proc-tree";
import type { Target } from "./targets";

export interface BridgeMemory {
  /** The largest process of the tree: the one running the bridge's code. */
  processRssKiB: number;
  /** Everything `npm run bridge` starts (the tsx launcher included). */
  treeRssKiB: number;
}

/** Null when this tree has no bridge (`npm run bridge`) to measure. */
export async function bridgeIdleMemory(gateway: Target, port: number, settleMs = 5000): Promise<BridgeMemory | null> {
  const pkg = JSON.parse(readFileSync(source("package.json"), "utf8")) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.bridge;
  const match = script ? /^tsx\s+(\S+)$/.exec(script) : null;
  if (!match || !existsSync(source(match[1] as string))) return null;
  const minted = await fetch(`${gateway.dev.url}/api/bridges`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${gateway.adminToken}` },
    body: JSON.stringify({ name: "bench" }),
  });
  if (minted.status !== 201) throw new Error(`minting a bridge token failed: ${minted.status} ${await minted.text()}`);
  const { bridge, token } = (await minted.json()) as { bridge: { id: string }; token: string };
  const connected = async () => {
    const res = await fetch(`${gateway.dev.url}/api/bridges/${bridge.id}`, { headers: { authorization: `Bearer ${gateway.adminToken}` } });
    return ((await res.json()) as { bridge: { connected?: boolean } }).bridge.connected === true;
  };
  const dev = await spawnDev({
    command: join(source(), "node_modules", ".bin", "tsx"),
    args: [match[1] as string],
    env: baseEnv({ LOOPGATE_URL: gateway.dev.url, LOOPGATE_BRIDGE_TOKEN: token, LOOPGATE_BRIDGE_DATA: tempDir("loopgate-bench-bridge-") }),
    port,
    ready: connected,
    readyTimeoutMs: 60_000,
  });
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const tree = sampleTree(dev.pid);
    return { processRssKiB: Math.max(...tree.map((p) => p.rssKiB)), treeRssKiB: tree.reduce((n, p) => n + p.rssKiB, 0) };
  } finally {
    await dev.stop();
  }
}
