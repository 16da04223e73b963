/** The few Docker CLI calls the runner needs besides `docker run`: volumes, removal, crash clean-up. */
import { execFile } from "node:child_process";
import { LABEL_CHANNEL, LABEL_INSTANCE, LABEL_WORKSPACE } from "./docker-args";

export interface DockerResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function docker(bin: string, args: string[], timeoutMs = 30_000): Promise<DockerResult> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ ok: !err, stdout: String(stdout), stderr: String(stderr || (err ? err.message : "")) });
    });
  });
}

/** Null when an engine answers, else why not (shown on the run that could not start). */
export async function dockerUnavailable(bin: string): Promise<string | null> {
  const r = await docker(bin, ["version", "--format", "{{.Server.Version}}"], 15_000);
  return r.ok ? null : `Docker is not available on the bridge host: ${r.stderr.trim().split("\n")[0] ?? "no answer"}`;
}

/** Creates the sender's workspace volume if it is new (labelled, so an admin can list and remove a channel's). */
export async function ensureVolume(bin: string, name: string, channelId: string): Promise<DockerResult> {
  return docker(bin, ["volume", "create", "--label", `${LABEL_WORKSPACE}=1`, "--label", `${LABEL_CHANNEL}=${channelId}`, name]);
}

/** Removes a container whatever its state; a container already gone is fine. */
export async function removeContainer(bin: string, name: string): Promise<void> {
  await docker(bin, ["rm", "-f", "-v", name]);
}

/** Containers this bridge started and did not remove (it was killed mid-run): removed now. */
export async function removeLeftovers(bin: string, instance: string): Promise<string[]> {
  const listed = await docker(bin, ["ps", "-aq", "--filter", `label=${LABEL_INSTANCE}=${instance}`]);
  const ids = listed.ok
    ? listed.stdout
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
  if (ids.length) await docker(bin, ["rm", "-f", "-v", ...ids]);
  return ids;
}
