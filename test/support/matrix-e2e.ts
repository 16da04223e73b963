/**
 * The end of a Matrix end-to-end file (bridge/src/channels/matrix/*.e2e.test.ts): the processes'
 * output kept for a failed run, the people's Matrix clients stopped, then the bridge, the
 * gateway, the fake homeserver and the fake model, and the gateway's state and the bridge's data
 * folder removed. Every part may be missing (a file whose setup failed half-way).
 */
import { rmSync } from "node:fs";
import type { MatrixClient } from "matrix-js-sdk";
import type { BridgeProcess } from "./bridge-process";
import { keepLogs } from "./e2e-logs";
import { type GatewayProcess, removeState } from "./gateway-process";
import type { MatrixHomeserver } from "./matrix-homeserver";

export interface MatrixE2eParts {
  /** Log file name for each process's output: `{ "bridge-matrix.log": ..., "gateway.log": ... }`. */
  logNames: { bridge: string; gateway: string };
  clients: (MatrixClient | undefined)[];
  bridge?: BridgeProcess;
  gw?: GatewayProcess;
  hs?: MatrixHomeserver;
  model?: { close(): Promise<void> };
  dataDir: string;
}

export async function stopMatrixE2e(p: MatrixE2eParts): Promise<void> {
  keepLogs({ [p.logNames.bridge]: p.bridge?.output(), [p.logNames.gateway]: p.gw?.output() });
  for (const client of p.clients) client?.stopClient();
  await p.bridge?.stop();
  await p.gw?.stop();
  await p.hs?.close();
  await p.model?.close();
  if (p.gw) removeState(p.gw.stateDir);
  rmSync(p.dataDir, { recursive: true, force: true });
}
