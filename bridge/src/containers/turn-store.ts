/**
 * Container turns on the bridge's disk, one file each, so that neither a turn nor its result
 * is lost to a restart: a turn is written before it is acknowledged to the gateway, its result
 * before it is sent, and the file is kept (marked acknowledged) for a week so that a turn the
 * gateway re-sends is recognised instead of run twice. MCP tokens are never written.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ContainerTurnFrame, ContainerTurnResult } from "../../../src/protocol/container";
import { withoutMcpTokens } from "../../../src/protocol/container-server-tools";
import { writeFileDurably } from "../durable-file";

export interface StoredTurn {
  turn: ContainerTurnFrame;
  acceptedAt: number;
  result?: ContainerTurnResult;
  /** The gateway stored the result; nothing left to do. */
  ackedAt?: number;
}

const KEEP_ACKED_MS = 7 * 24 * 60 * 60_000;
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

export class TurnStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "containers", "turns");
    mkdirSync(this.dir, { recursive: true });
  }

  get(id: string): StoredTurn | null {
    if (!SAFE_ID.test(id)) return null;
    try {
      return JSON.parse(readFileSync(this.path(id), "utf8")) as StoredTurn;
    } catch {
      return null;
    }
  }

  /** False when the id cannot be stored (the gateway never sends such ids). */
  accept(turn: ContainerTurnFrame): boolean {
    if (!SAFE_ID.test(turn.id)) return false;
    // MCP tokens live only in the running turn's memory: a turn found on disk after a restart is
    // reported interrupted, never run again, so it never needs them.
    this.write({ turn: { ...turn, spec: withoutMcpTokens(turn.spec) }, acceptedAt: Date.now() });
    return true;
  }

  finish(id: string, result: ContainerTurnResult): void {
    const stored = this.get(id);
    if (stored && !stored.result) this.write({ ...stored, result });
  }

  ack(id: string): void {
    const stored = this.get(id);
    if (stored && !stored.ackedAt) this.write({ ...stored, ackedAt: Date.now() });
  }

  /** Turns not yet acknowledged by the gateway, oldest first. */
  open(): StoredTurn[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => this.get(f.slice(0, -5)))
      .filter((t): t is StoredTurn => t !== null && !t.ackedAt)
      .sort((a, b) => a.acceptedAt - b.acceptedAt);
  }

  /** Forgets acknowledged turns older than a week. */
  prune(now = Date.now()): void {
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith(".json")) continue;
      const path = join(this.dir, f);
      if (now - statSync(path).mtimeMs > KEEP_ACKED_MS && this.get(f.slice(0, -5))?.ackedAt) rmSync(path, { force: true });
    }
  }

  private path(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private write(stored: StoredTurn): void {
    writeFileDurably(this.path(stored.turn.id), JSON.stringify(stored));
  }
}
