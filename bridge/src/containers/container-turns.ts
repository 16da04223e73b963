/**
 * The bridge's container runner: takes turns from the link, writes them down, acknowledges
 * them, runs them through the queue (MAX_CONCURRENT_CONTAINERS at a time, in order), and sends
 * each result until the gateway acknowledges it. At start it removes containers a killed
 * bridge left behind and reports the turns they were running as interrupted; from then on, once
 * an hour, it prunes workspaces unused for CONTAINER_WORKSPACE_PRUNE_DAYS (workspace-prune.ts),
 * and it removes a deleted sender's workspace when the gateway asks (workspace-removal.ts).
 * In loop mode (CONTAINER_WORKSPACE_FILESYSTEM=loop) it mounts each run's workspace image
 * before the run and unmounts it after (loop-workspaces.ts); at start it unmounts what a killed
 * bridge left mounted, at stop everything.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ContainerHubFrame, ContainerTurnFrame, ContainerTurnResult } from "../../../src/protocol/container";
import type { BridgeFrame } from "../../../src/protocol/bridge";
import { writeFileDurably } from "../durable-file";
import type { Logger } from "../../../src/lib/log";
import { runInContainer } from "./container-run";
import { dockerUnavailable, removeLeftovers } from "./docker";
import { RunQueue } from "./run-queue";
import type { ContainerSettings } from "./settings";
import { TurnStore } from "./turn-store";
import { workspaceVolume } from "./docker-args";
import { pruneWorkspaces, WorkspaceUse } from "./workspace-prune";
import { WorkspaceRemovals } from "./workspace-removal";
import { LoopWorkspaces } from "./loop-workspaces";

const PRUNE_EVERY_MS = 60 * 60_000;

export interface ContainerTurnsOptions {
  dataDir: string;
  settings: ContainerSettings;
  log: Logger;
  /** Sends a frame on the link; false when the link is down (results are re-sent on reconnect). */
  send: (frame: BridgeFrame) => boolean;
}

const EMPTY_RESULT = { calls: [], steps: 0, toolCalls: 0, queuedMs: 0, runMs: 0 };
/** How long a gateway tool call may wait for its answer (the link may be down meanwhile). */
const GATEWAY_TOOL_TIMEOUT_MS = 30_000;

type ToolAnswer = { content: string; isError?: boolean };

export class ContainerTurns {
  private readonly store: TurnStore;
  private readonly queue: RunQueue;
  private readonly instance: string;
  /** Runs queued or running now, by turn id. */
  private readonly active = new Map<string, AbortController>();
  private ready: Promise<void> | null = null;
  private readonly workspaces: WorkspaceUse;
  private pruneTimer: NodeJS.Timeout | null = null;
  /** Gateway tool calls waiting for their turn.tool.result, by call id. */
  private readonly toolCalls = new Map<string, (answer: ToolAnswer) => void>();
  private toolCallSeq = 0;
  /** Runs queued or running per workspace volume: a deleted sender's volume waits for them. */
  private readonly busyVolumes = new Map<string, number>();
  private readonly removals: WorkspaceRemovals;
  private readonly loop?: LoopWorkspaces;

  constructor(private readonly o: ContainerTurnsOptions) {
    this.store = new TurnStore(o.dataDir);
    this.queue = new RunQueue(o.settings.maxConcurrent);
    this.instance = instanceId(o.dataDir);
    this.workspaces = new WorkspaceUse(o.dataDir);
    if (o.settings.workspaceFilesystem === "loop") this.loop = new LoopWorkspaces({ dataDir: o.dataDir, quotaBytes: o.settings.workspaceQuotaBytes });
    this.removals = new WorkspaceRemovals({
      loop: this.loop,
      docker: o.settings.docker,
      use: this.workspaces,
      log: o.log,
      send: o.send,
      inUse: (volume) => (this.busyVolumes.get(volume) ?? 0) > 0,
    });
  }

  /** Clean-up after a crash: leftover containers removed, their turns reported as interrupted. */
  start(): Promise<void> {
    this.ready ??= (async () => {
      this.store.prune();
      const removed = await removeLeftovers(this.o.settings.docker, this.instance);
      if (removed.length) this.o.log.warn("removed containers left by a previous run of the bridge", { containers: removed.length });
      const stale = (await this.loop?.recover()) ?? [];
      if (stale.length) this.o.log.warn("unmounted workspaces left mounted by a previous run of the bridge", { workspaces: stale.length });
      for (const stored of this.store.open()) {
        if (!stored.result)
          this.finish(stored.turn.id, { ...EMPTY_RESULT, outcome: "interrupted", error: "the bridge restarted while this run was in progress" });
      }
      if (this.o.settings.workspaceMaxIdleMs > 0) {
        await this.prune();
        this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
        this.pruneTimer.unref();
      }
    })();
    return this.ready;
  }

  /** Removes workspaces idle past the configured period; a failure is logged and tried again next time. */
  async prune(): Promise<void> {
    try {
      const { removed, busy } = await pruneWorkspaces({
        docker: this.o.settings.docker,
        use: this.workspaces,
        maxIdleMs: this.o.settings.workspaceMaxIdleMs,
        loop: this.loop,
      });
      if (removed.length || busy.length) this.o.log.info("workspaces pruned", { removed: removed.length, busy: busy.length });
    } catch (err) {
      this.o.log.warn("workspace pruning failed", { error: String(err) });
    }
  }

  /** Kills running containers; their turns are reported as interrupted (now, or after the restart). */
  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.removals.stop();
    for (const controller of this.active.values()) controller.abort("the bridge stopped");
    const deadline = Date.now() + 10_000;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await this.loop?.stop();
  }

  /** After (re)connecting: every result the gateway has not acknowledged goes again. */
  connected(): void {
    for (const stored of this.store.open()) if (stored.result) this.sendResult(stored.turn.id, stored.result);
  }

  onFrame(frame: ContainerHubFrame): void {
    switch (frame.t) {
      case "turn":
        void this.accept(frame);
        return;
      case "workspace.remove":
        void this.removals.request(frame);
        return;
      case "turn.result.ack":
        this.store.ack(frame.id);
        return;
      case "turn.cancel":
        this.cancel(frame.id);
        return;
      case "turn.tool.result": {
        const resolve = this.toolCalls.get(frame.callId);
        this.toolCalls.delete(frame.callId);
        resolve?.({ content: frame.content, ...(frame.isError ? { isError: true } : {}) });
        return;
      }
    }
  }

  private async accept(turn: ContainerTurnFrame): Promise<void> {
    await this.start();
    const known = this.store.get(turn.id);
    if (known) {
      // A re-sent turn: acknowledge again; its result (if any) goes again too.
      this.o.send({ t: "turn.accepted", id: turn.id });
      if (known.result && !known.ackedAt) this.sendResult(turn.id, known.result);
      return;
    }
    if (!this.store.accept(turn)) return;
    this.o.send({ t: "turn.accepted", id: turn.id });
    this.o.log.info("container turn accepted", { turnId: turn.id, channelId: turn.channelId });
    const controller = new AbortController();
    this.active.set(turn.id, controller);
    const volume = workspaceVolume(turn.channelId, turn.senderId);
    this.busyVolumes.set(volume, (this.busyVolumes.get(volume) ?? 0) + 1);
    const enqueuedAt = Date.now();
    const event = (kind: "container.queued" | "container.started" | "container.tool", detail: Record<string, unknown>) =>
      this.o.send({ t: "turn.event", id: turn.id, kind, detail });
    try {
      const result = await this.queue.run(
        turn.id,
        () => this.run(turn, controller.signal, Date.now() - enqueuedAt, event),
        (position) => {
          this.o.log.info("container run queued", { turnId: turn.id, position });
          event("container.queued", { position, maxConcurrent: this.o.settings.maxConcurrent });
        },
      );
      this.finish(
        turn.id,
        result ?? { ...EMPTY_RESULT, outcome: "cancelled", error: "cancelled by the gateway before it started", queuedMs: Date.now() - enqueuedAt },
      );
    } catch (err) {
      this.finish(turn.id, { ...EMPTY_RESULT, outcome: "failed", error: `the bridge could not run the container: ${String(err)}` });
    } finally {
      this.active.delete(turn.id);
      const left = (this.busyVolumes.get(volume) ?? 1) - 1;
      if (left > 0) this.busyVolumes.set(volume, left);
      else {
        this.busyVolumes.delete(volume);
        void this.removals.runEnded(volume);
      }
    }
  }

  private async run(
    turn: ContainerTurnFrame,
    signal: AbortSignal,
    queuedMs: number,
    event: (kind: "container.started" | "container.tool", detail: Record<string, unknown>) => void,
  ): Promise<ContainerTurnResult> {
    if (Date.now() > turn.expiresAt) return { ...EMPTY_RESULT, outcome: "expired", error: "the gateway stopped waiting before a container was free", queuedMs };
    const unavailable = await dockerUnavailable(this.o.settings.docker);
    if (unavailable) return { ...EMPTY_RESULT, outcome: "failed", error: unavailable, queuedMs };
    // Used now and until the run ends: never pruned while a sender is working in it.
    const volume = workspaceVolume(turn.channelId, turn.senderId);
    this.workspaces.touch(volume);
    let workspaceDir: string | undefined;
    try {
      if (this.loop) {
        try {
          workspaceDir = await this.loop.acquire(volume);
        } catch (err) {
          return { ...EMPTY_RESULT, outcome: "failed", error: `could not mount the workspace: ${err instanceof Error ? err.message : String(err)}`, queuedMs };
        }
      }
      return await this.runIn(turn, signal, queuedMs, event, workspaceDir);
    } finally {
      if (workspaceDir) await this.loop?.release(volume);
      this.workspaces.touch(volume);
    }
  }

  private runIn(
    turn: ContainerTurnFrame,
    signal: AbortSignal,
    queuedMs: number,
    event: (kind: "container.started" | "container.tool", detail: Record<string, unknown>) => void,
    workspaceDir?: string,
  ): Promise<ContainerTurnResult> {
    return runInContainer({
      turn,
      workspaceDir,
      settings: this.o.settings,
      instance: this.instance,
      signal,
      queuedMs,
      hooks: {
        started: (detail) => {
          this.o.log.info("container started", { turnId: turn.id, ...detail });
          event("container.started", detail);
        },
        tool: (detail) => {
          this.o.log.info("container tool call", { turnId: turn.id, ...detail });
          event("container.tool", detail);
        },
        gatewayTool: (name, input) => this.gatewayTool(turn.id, name, input),
        compacted: (detail) => this.o.log.info("container history summarised", { turnId: turn.id, ...detail }),
      },
    });
  }

  /** One gateway tool call over the link; an error answer (never a hang) when the gateway is out of reach. */
  private gatewayTool(turnId: string, name: string, input: unknown): Promise<ToolAnswer> {
    const callId = `${turnId}.${++this.toolCallSeq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.toolCalls.delete(callId);
        resolve({ content: `the gateway did not answer the ${name} call in time`, isError: true });
      }, GATEWAY_TOOL_TIMEOUT_MS);
      this.toolCalls.set(callId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      if (!this.o.send({ t: "turn.tool", id: turnId, callId, name, input })) {
        this.toolCalls.delete(callId);
        clearTimeout(timer);
        resolve({ content: `the gateway is not reachable now, so ${name} could not run`, isError: true });
      }
    });
  }

  private cancel(id: string): void {
    if (this.queue.withdraw(id)) return;
    this.active.get(id)?.abort("cancelled");
  }

  private finish(id: string, result: ContainerTurnResult): void {
    this.store.finish(id, result);
    this.o.log.info(result.outcome === "timeout" ? "container killed" : "container finished", {
      turnId: id,
      outcome: result.outcome,
      steps: result.steps,
      toolCalls: result.toolCalls,
      runMs: result.runMs,
      queuedMs: result.queuedMs,
      ...(result.error ? { error: result.error } : {}),
    });
    const stored = this.store.get(id);
    if (stored?.result) this.sendResult(id, stored.result);
  }

  private sendResult(id: string, result: ContainerTurnResult): void {
    this.o.send({ t: "turn.result", id, result });
  }
}

/** Stable per data folder, so a restarted bridge finds the containers it started before. */
function instanceId(dataDir: string): string {
  const dir = join(dataDir, "containers");
  const path = join(dir, "instance-id");
  mkdirSync(dir, { recursive: true });
  if (!existsSync(path)) writeFileDurably(path, randomBytes(8).toString("hex"));
  return readFileSync(path, "utf8").trim();
}
