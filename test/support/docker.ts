/**
 * Docker for the container tests: a real engine (started by scripts/docker-test-setup.sh when
 * needed, with the offline `node:22-slim` base image), image builds, and small CLI helpers.
 * Without a working engine these helpers throw, so the tests fail instead of passing vacuously.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./gateway-process";

/** Starts dockerd if needed and provides the base image; throws with the script's reason. */
export function prepareDocker(): void {
  const r = spawnSync("bash", [join(ROOT, "scripts/docker-test-setup.sh")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`Docker is required for this test and could not be prepared:\n${r.stderr}${r.stdout}`);
}

/** `docker build`; the layer cache makes a rebuild of unchanged sources quick. */
export function buildImage(tag: string, context: string, dockerfile?: string): void {
  const args = ["build", "-q", "-t", tag, ...(dockerfile ? ["-f", join(ROOT, dockerfile)] : []), join(ROOT, context)];
  const r = spawnSync("docker", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
}

/** Runs the docker CLI and returns its trimmed stdout; throws on failure. */
export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Like `docker`, but returns null instead of throwing (a container already gone). */
export function dockerMaybe(...args: string[]): string | null {
  const r = spawnSync("docker", args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}
