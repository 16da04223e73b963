/**
 * The `docker run` of one agent run, hardened: no network, read-only root with a small noexec
 * tmpfs, no capabilities, no privilege gain, a non-root user, pid, memory and CPU caps, and
 * the sender's workspace as the only mount: its Docker volume, or in loop mode the folder its
 * ext4 image is mounted on (loop-workspaces.ts; never the Docker socket or any other host path).
 * Labels let the bridge find and remove its containers after a crash.
 */
import { createHash } from "node:crypto";
import type { ContainerSettings } from "./settings";

const LABEL_AGENT = "loopgate.agent";
export const LABEL_INSTANCE = "loopgate.bridge-instance";
export const LABEL_WORKSPACE = "loopgate.workspace";
/** On workspace volumes: whose they are (`docker volume ls --filter label=loopgate.channel=ch_...`). */
export const LABEL_CHANNEL = "loopgate.channel";
/** The image's `node` user; numeric, so no passwd lookup decides who runs. */
const RUN_AS = "1000:1000";

/** One volume per channel + sender: the same sender finds their files again, nobody else does. */
export function workspaceVolume(channelId: string, senderId: string): string {
  return `loopgate-ws-${createHash("sha256").update(`${channelId}\u0000${senderId}`).digest("hex").slice(0, 32)}`;
}

export function containerName(runId: string): string {
  return `loopgate-run-${runId.toLowerCase().replace(/[^a-z0-9_.-]/g, "-")}`;
}

export interface RunArgsInput {
  name: string;
  runId: string;
  instance: string;
  volume: string;
  /** Loop mode: the host folder the sender's image is mounted on, bound at /workspace instead of the volume. */
  workspaceDir?: string;
  settings: Pick<ContainerSettings, "image" | "memory" | "cpus" | "pidsLimit" | "tmpfsMb">;
}

export function dockerRunArgs(r: RunArgsInput): string[] {
  const s = r.settings;
  return [
    "run",
    "-i",
    "--rm",
    "--name",
    r.name,
    "--label",
    `${LABEL_AGENT}=${r.runId}`,
    "--label",
    `${LABEL_INSTANCE}=${r.instance}`,
    "--network",
    "none",
    "--read-only",
    "--tmpfs",
    `/tmp:rw,noexec,nosuid,nodev,size=${s.tmpfsMb}m`,
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--user",
    RUN_AS,
    "--pids-limit",
    String(s.pidsLimit),
    "--memory",
    s.memory,
    "--memory-swap",
    s.memory,
    "--cpus",
    s.cpus,
    "--mount",
    r.workspaceDir ? `type=bind,src=${r.workspaceDir},dst=/workspace` : `type=volume,src=${r.volume},dst=/workspace`,
    "--workdir",
    "/workspace",
    s.image,
  ];
}
