/**
 * Workspaces the kernel holds to their quota (docs/containers.md, "Workspace quota",
 * CONTAINER_WORKSPACE_FILESYSTEM=loop): each sender's workspace is a sparse ext4 image of
 * CONTAINER_WORKSPACE_QUOTA_MB in the bridge's data folder, loop-mounted on a folder beside it
 * while runs use it and bind-mounted at /workspace by docker-args.ts. A write past the image's
 * size fails with ENOSPC inside the run, whatever wrote it. Mounted on demand before a run,
 * unmounted when the last run in it ends (so loop devices stay bounded by the concurrent runs)
 * and at bridge stop; a bridge restarted after a crash unmounts what its previous process left
 * mounted and mounts again on demand. A larger quota grows an image on its next mount
 * (`resize2fs`); a smaller one is not applied to existing images (ext4 cannot shrink online and
 * shrinking could lose files). Linux, as root: `checkLoopSupport` proves it before the bridge starts.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** Runs a system command; resolves with its outcome, never rejects. */
export type Exec = (cmd: string, args: string[]) => Promise<{ ok: boolean; stderr: string; code?: number }>;

export const systemExec: Exec = (cmd, args) =>
  new Promise((resolve) => {
    execFile(cmd, args, { timeout: 120_000 }, (err, _stdout, stderr) =>
      resolve({ ok: !err, stderr: String(stderr || (err ? err.message : "")), ...(typeof err?.code === "number" ? { code: err.code } : {}) }),
    );
  });

/** Mount points listed in /proc/self/mountinfo (field 5, with the kernel's octal escapes undone). */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8))));
}

const readMountPoints = (): string[] => parseMountPoints(readFileSync("/proc/self/mountinfo", "utf8"));

/** Mount options: no set-uid programs or device files from a sender's files; exec kept as on a Docker volume. */
const MOUNT_OPTIONS = "loop,nosuid,nodev";
/** The image's `node` user owns the filesystem's root, as it owns a fresh Docker volume. */
export const WORKSPACE_OWNER = "1000:1000";

export interface LoopWorkspacesOptions {
  dataDir: string;
  quotaBytes: number;
  exec?: Exec;
  mountPoints?: () => string[];
}

export class LoopWorkspaces {
  readonly imageDir: string;
  readonly mountDir: string;
  private readonly exec: Exec;
  private readonly mountPoints: () => string[];
  /** Runs holding each workspace mounted. */
  private readonly users = new Map<string, number>();
  /** One mount operation at a time per workspace. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly o: LoopWorkspacesOptions) {
    this.imageDir = join(o.dataDir, "containers", "workspace-images");
    this.mountDir = join(o.dataDir, "containers", "workspace-mounts");
    this.exec = o.exec ?? systemExec;
    this.mountPoints = o.mountPoints ?? readMountPoints;
  }

  imagePath(volume: string): string {
    return join(this.imageDir, `${volume}.ext4`);
  }

  mountPath(volume: string): string {
    return join(this.mountDir, volume);
  }

  /** Workspaces that have an image (for pruning). */
  list(): string[] {
    if (!existsSync(this.imageDir)) return [];
    return readdirSync(this.imageDir)
      .filter((f) => f.endsWith(".ext4"))
      .map((f) => f.slice(0, -".ext4".length));
  }

  inUse(volume: string): boolean {
    return (this.users.get(volume) ?? 0) > 0;
  }

  /** After a crash: whatever a previous process left mounted under the data folder is unmounted (mounted again on demand). */
  async recover(): Promise<string[]> {
    const stale = this.mountedHere();
    for (const path of stale) await this.unmountPath(path);
    return stale;
  }

  /** Mounts the sender's workspace (creating or growing its image first) and returns the folder to bind at /workspace. */
  acquire(volume: string): Promise<string> {
    this.users.set(volume, (this.users.get(volume) ?? 0) + 1);
    return this.locked(volume, async () => {
      try {
        await this.mount(volume);
        return this.mountPath(volume);
      } catch (err) {
        this.drop(volume);
        throw err;
      }
    });
  }

  /** A run ended: the last one out unmounts (a failed unmount leaves it mounted until stop). */
  release(volume: string): Promise<void> {
    if (this.drop(volume) > 0) return Promise.resolve();
    return this.locked(volume, async () => {
      if (!this.inUse(volume) && this.isMounted(volume)) await this.unmountPath(this.mountPath(volume));
    });
  }

  /** Unmounts and deletes a workspace; false (nothing touched) while a run uses it. */
  remove(volume: string): Promise<boolean> {
    if (this.inUse(volume)) return Promise.resolve(false);
    return this.locked(volume, async () => {
      if (this.inUse(volume)) return false;
      if (this.isMounted(volume)) {
        const out = await this.unmountPath(this.mountPath(volume));
        if (!out.ok) throw new Error(`could not unmount ${this.mountPath(volume)}: ${out.stderr.trim()}`);
      }
      rmSync(this.imagePath(volume), { force: true });
      rmSync(`${this.imagePath(volume)}.new`, { force: true });
      try {
        // Only an empty folder: never delete through a mount that is somehow still there.
        rmdirSync(this.mountPath(volume));
      } catch {
        // already gone
      }
      return true;
    });
  }

  /** Bridge stop: every workspace image unmounted. */
  async stop(): Promise<void> {
    for (const path of this.mountedHere()) await this.unmountPath(path);
  }

  private drop(volume: string): number {
    const left = (this.users.get(volume) ?? 1) - 1;
    if (left > 0) this.users.set(volume, left);
    else this.users.delete(volume);
    return left;
  }

  private mountedHere(): string[] {
    const prefix = `${this.mountDir}/`;
    return this.mountPoints().filter((p) => p.startsWith(prefix));
  }

  private isMounted(volume: string): boolean {
    return this.mountPoints().includes(this.mountPath(volume));
  }

  private async mount(volume: string): Promise<void> {
    if (this.isMounted(volume)) return;
    const image = this.imagePath(volume);
    const target = this.mountPath(volume);
    mkdirSync(this.imageDir, { recursive: true, mode: 0o700 });
    mkdirSync(target, { recursive: true, mode: 0o755 });
    const fresh = !existsSync(image);
    if (fresh) {
      // Made under another name and renamed when complete: a bridge killed in between leaves no image without a filesystem.
      const making = `${image}.new`;
      try {
        await this.run("truncate", ["-s", String(this.o.quotaBytes), making]);
        // -m 0: nothing reserved for root (the runner is not root); the root folder is the runner's.
        await this.run("mkfs.ext4", ["-q", "-F", "-m", "0", "-E", `root_owner=${WORKSPACE_OWNER}`, making]);
        renameSync(making, image);
      } catch (err) {
        rmSync(making, { force: true });
        throw err;
      }
    } else if (statSync(image).size < this.o.quotaBytes) {
      // The quota was raised: check the filesystem (resize2fs requires it offline), grow the file, grow the filesystem.
      // e2fsck -p exits 1 when it corrected something (an image of a bridge killed mid-write): still fine to grow.
      const checked = await this.exec("e2fsck", ["-f", "-p", image]);
      if (!checked.ok && checked.code !== 1) throw new Error(`e2fsck failed: ${checked.stderr.trim().split("\n")[0] ?? "no output"}`);
      const before = statSync(image).size;
      await this.run("truncate", ["-s", String(this.o.quotaBytes), image]);
      await this.run("resize2fs", [image]).catch(async (err) => {
        // The filesystem is unchanged: the file goes back to its size, so the next mount tries again.
        await this.exec("truncate", ["-s", String(before), image]);
        throw err;
      });
    }
    await this.run("mount", ["-t", "ext4", "-o", MOUNT_OPTIONS, image, target]);
    // mkfs leaves a root-only lost+found; a fresh workspace shows the runner an empty folder (fsck recreates it if needed).
    if (fresh) rmSync(join(target, "lost+found"), { recursive: true, force: true });
  }

  private async unmountPath(path: string): Promise<{ ok: boolean; stderr: string }> {
    return this.exec("umount", [path]);
  }

  private async run(cmd: string, args: string[]): Promise<void> {
    const out = await this.exec(cmd, args);
    if (!out.ok) throw new Error(`${cmd} failed: ${out.stderr.trim().split("\n")[0] ?? "no output"}`);
  }

  private locked<T>(volume: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(volume) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => {});
    this.locks.set(volume, settled);
    void settled.then(() => {
      if (this.locks.get(volume) === settled) this.locks.delete(volume);
    });
    return next;
  }
}

/**
 * Null when this host can loop-mount workspaces, else what to do: proven by making, mounting and
 * removing a small image in the data folder, the way every workspace will be.
 */
export async function checkLoopSupport(dataDir: string, exec: Exec = systemExec): Promise<string | null> {
  const fix =
    "CONTAINER_WORKSPACE_FILESYSTEM=loop needs a Linux bridge running as root with loop devices (modprobe loop; in a container: --privileged) and e2fsprogs (mkfs.ext4, e2fsck, resize2fs); or set CONTAINER_WORKSPACE_FILESYSTEM=volume";
  if (process.platform !== "linux") return `${fix} (this host runs ${process.platform})`;
  if (process.getuid?.() !== 0) return `${fix} (the bridge runs as uid ${process.getuid?.()})`;
  if (/[,\s]/.test(dataDir)) return `${fix}; the data folder's path must have no comma or space (it is passed to docker --mount): ${dataDir}`;
  const probe = new LoopWorkspaces({ dataDir, quotaBytes: 8 * 1024 * 1024, exec });
  const name = `probe-${process.pid}`;
  try {
    await probe.acquire(name);
    await probe.release(name);
    if (!(await probe.remove(name))) return `${fix} (the probe workspace stayed in use)`;
    return null;
  } catch (err) {
    await probe.remove(name).catch(() => {});
    return `${fix} (${err instanceof Error ? err.message : String(err)})`;
  }
}
