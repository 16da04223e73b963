/**
 * Loop-mounted workspaces, bookkeeping only (the real mounts are in
 * test/e2e/workspace-loop.test.ts): the setting, which commands make, grow, mount and unmount an
 * image, that concurrent runs share one mount and the last one out unmounts, that removal waits
 * for runs, that a restarted bridge unmounts only its own stale mounts, and the docker mount.
 */
import { existsSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dockerRunArgs } from "./docker-args";
import { checkLoopSupport, type Exec, LoopWorkspaces, parseMountPoints } from "./loop-workspaces";
import { readContainerSettings } from "./settings";
import { pruneWorkspaces, WorkspaceUse } from "./workspace-prune";

const MB = 1024 * 1024;

describe("CONTAINER_WORKSPACE_FILESYSTEM", () => {
  it("defaults to volume and accepts loop with a quota", () => {
    const plain = readContainerSettings({});
    expect(plain.ok && plain.settings.workspaceFilesystem).toBe("volume");
    const loop = readContainerSettings({ CONTAINER_WORKSPACE_FILESYSTEM: "loop", CONTAINER_WORKSPACE_QUOTA_MB: "64" });
    expect(loop.ok && loop.settings).toMatchObject({ workspaceFilesystem: "loop", workspaceQuotaBytes: 64 * MB });
  });

  it("refuses another value, and loop without a quota to size the image", () => {
    expect(readContainerSettings({ CONTAINER_WORKSPACE_FILESYSTEM: "xfs" })).toMatchObject({ ok: false, error: expect.stringContaining("volume or loop") });
    expect(readContainerSettings({ CONTAINER_WORKSPACE_FILESYSTEM: "loop", CONTAINER_WORKSPACE_QUOTA_MB: "0" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("at least 8"),
    });
  });
});

describe("parseMountPoints", () => {
  it("reads field 5 of mountinfo and undoes the kernel's octal escapes", () => {
    const info = [
      "36 35 98:0 / /mnt1 rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
      "101 36 7:0 / /data/with\\040space rw,nosuid,nodev - ext4 /dev/loop0 rw",
      "",
    ].join("\n");
    expect(parseMountPoints(info)).toEqual(["/mnt1", "/data/with space"]);
  });
});

describe("LoopWorkspaces", () => {
  let dataDir: string;
  let mounted: Set<string>;
  let calls: string[][];
  let fail: string | null;
  const exec: Exec = async (cmd, args) => {
    calls.push([cmd, ...args]);
    if (cmd === fail) return { ok: false, stderr: `${cmd}: simulated failure` };
    if (cmd === "truncate") {
      const [, size, path] = args as [string, string, string];
      if (!existsSync(path)) writeFileSync(path, "");
      truncateSync(path, Number(size));
    }
    if (cmd === "mount") mounted.add(args.at(-1)!);
    if (cmd === "umount") mounted.delete(args[0]!);
    return { ok: true, stderr: "" };
  };
  const make = (quotaBytes = 16 * MB) => new LoopWorkspaces({ dataDir, quotaBytes, exec, mountPoints: () => ["/", ...mounted] });
  const commands = () => calls.map((c) => c[0]);

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "loopgate-loopws-"));
    mounted = new Set();
    calls = [];
    fail = null;
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it("makes a sparse ext4 image of the quota owned by the runner's user and mounts it without suid or devices", async () => {
    const ws = make();
    const dir = await ws.acquire("loopgate-ws-a");
    expect(dir).toBe(join(dataDir, "containers", "workspace-mounts", "loopgate-ws-a"));
    const image = ws.imagePath("loopgate-ws-a");
    expect(calls).toEqual([
      ["truncate", "-s", String(16 * MB), `${image}.new`],
      ["mkfs.ext4", "-q", "-F", "-m", "0", "-E", "root_owner=1000:1000", `${image}.new`],
      ["mount", "-t", "ext4", "-o", "loop,nosuid,nodev", image, dir],
    ]);
    expect(statSync(image).size).toBe(16 * MB);
    expect(ws.list()).toEqual(["loopgate-ws-a"]);
  });

  it("shares one mount between concurrent runs; the last one out unmounts", async () => {
    const ws = make();
    const [a, b] = await Promise.all([ws.acquire("v"), ws.acquire("v")]);
    expect(a).toBe(b);
    expect(commands().filter((c) => c === "mount")).toHaveLength(1);
    await ws.release("v");
    expect(mounted.has(a)).toBe(true);
    await ws.release("v");
    expect(mounted.has(a)).toBe(false);
    await ws.acquire("v");
    // The image exists now: mounted again, not made again.
    expect(commands()).toEqual(["truncate", "mkfs.ext4", "mount", "umount", "mount"]);
  });

  it("grows an image on its next mount when the quota was raised, and leaves a larger one alone", async () => {
    await make(16 * MB).acquire("v");
    await make(16 * MB).release("v");
    mounted.clear();
    calls = [];
    const grown = make(32 * MB);
    await grown.acquire("v");
    const image = grown.imagePath("v");
    expect(calls.map((c) => c.slice(0, 3))).toEqual([
      ["e2fsck", "-f", "-p"],
      ["truncate", "-s", String(32 * MB)],
      ["resize2fs", image],
      ["mount", "-t", "ext4"],
    ]);
    mounted.clear();
    calls = [];
    await make(8 * MB).acquire("v");
    expect(commands()).toEqual(["mount"]);
    expect(statSync(image).size).toBe(32 * MB);
  });

  it("a failed resize leaves the image at its old size, so the next mount tries again", async () => {
    await make(16 * MB).acquire("v");
    mounted.clear();
    fail = "resize2fs";
    const ws = make(32 * MB);
    await expect(ws.acquire("v")).rejects.toThrow("resize2fs failed");
    expect(statSync(ws.imagePath("v")).size).toBe(16 * MB);
    expect(ws.inUse("v")).toBe(false);
  });

  it("removes only a workspace no run uses: unmounted, image and mount folder deleted", async () => {
    const ws = make();
    const dir = await ws.acquire("v");
    expect(await ws.remove("v")).toBe(false);
    expect(existsSync(ws.imagePath("v"))).toBe(true);
    expect(mounted.has(dir)).toBe(true);
    // Held by nobody but left mounted (an unmount that failed at release): removal unmounts it.
    fail = "umount";
    await ws.release("v");
    fail = null;
    expect(mounted.has(dir)).toBe(true);
    expect(await ws.remove("v")).toBe(true);
    expect(mounted.has(dir)).toBe(false);
    expect(existsSync(ws.imagePath("v"))).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(ws.list()).toEqual([]);
  });

  it("pruning in loop mode deletes idle images, keeps one a run uses, and never asks Docker", async () => {
    const ws = make();
    const use = new WorkspaceUse(dataDir);
    await ws.acquire("idle");
    await ws.release("idle");
    await ws.acquire("busy");
    use.touch("idle", 1000);
    use.touch("busy", 1000);
    const outcome = await pruneWorkspaces({ docker: "/nonexistent/docker", use, maxIdleMs: 60_000, now: 1_000_000, loop: ws });
    expect(outcome).toEqual({ removed: ["idle"], busy: ["busy"] });
    expect(ws.list()).toEqual(["busy"]);
    expect(use.get("idle")).toBeUndefined();
  });

  it("a failed mkfs leaves no image and no run holding the workspace", async () => {
    const ws = make();
    fail = "mkfs.ext4";
    await expect(ws.acquire("v")).rejects.toThrow("mkfs.ext4 failed: mkfs.ext4: simulated failure");
    expect(existsSync(ws.imagePath("v"))).toBe(false);
    expect(existsSync(`${ws.imagePath("v")}.new`)).toBe(false);
    expect(ws.inUse("v")).toBe(false);
    expect(commands()).not.toContain("mount");
  });

  it("after a crash unmounts its own stale mounts and nothing else; stop unmounts the rest", async () => {
    const ws = make();
    mounted.add(join(ws.mountDir, "old-a"));
    mounted.add("/srv/unrelated");
    mounted.add(`${ws.mountDir}-sibling/x`);
    expect(await ws.recover()).toEqual([join(ws.mountDir, "old-a")]);
    expect([...mounted]).toEqual(["/srv/unrelated", `${ws.mountDir}-sibling/x`]);
    await ws.acquire("v");
    await ws.stop();
    expect([...mounted]).toEqual(["/srv/unrelated", `${ws.mountDir}-sibling/x`]);
  });
});

describe("dockerRunArgs in loop mode", () => {
  it("binds the mounted folder at /workspace instead of the volume, and nothing else", () => {
    const settings = { image: "img", memory: "512m", cpus: "1", pidsLimit: 128, tmpfsMb: 64 };
    const args = dockerRunArgs({
      name: "n",
      runId: "r",
      instance: "i",
      volume: "loopgate-ws-a",
      workspaceDir: "/data/containers/workspace-mounts/loopgate-ws-a",
      settings,
    });
    const mounts = args.filter((_, i) => args[i - 1] === "--mount" || args[i - 1] === "-v");
    expect(mounts).toEqual(["type=bind,src=/data/containers/workspace-mounts/loopgate-ws-a,dst=/workspace"]);
    expect(dockerRunArgs({ name: "n", runId: "r", instance: "i", volume: "loopgate-ws-a", settings })).toContain(
      "type=volume,src=loopgate-ws-a,dst=/workspace",
    );
  });
});

describe("checkLoopSupport", () => {
  it("says what to do when the host cannot mount, and leaves nothing behind", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "loopgate-loopcheck-"));
    try {
      const noLoop: Exec = async (cmd, args) => {
        if (cmd === "truncate") writeFileSync(args[2]!, "");
        return cmd === "mount" ? { ok: false, stderr: "mount: /x: failed to setup loop device for /y." } : { ok: true, stderr: "" };
      };
      const why = await checkLoopSupport(dataDir, noLoop);
      expect(why).toContain("running as root with loop devices");
      expect(why).toContain("or set CONTAINER_WORKSPACE_FILESYSTEM=volume");
      if (process.getuid?.() === 0) expect(why).toContain("failed to setup loop device");
      expect(new LoopWorkspaces({ dataDir, quotaBytes: 8 * MB }).list()).toEqual([]);
      expect(await checkLoopSupport("/srv/data,x", noLoop)).toMatch(/no comma or space|runs as uid/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
