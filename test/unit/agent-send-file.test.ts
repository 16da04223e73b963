/**
 * The send_file tool inside the container (bridge/agent-runner/send-file.ts): only regular
 * files inside the workspace, never through a symlink, within the turn's count and bytes.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SentFile } from "../../bridge/agent-runner/send-file";
import { runTool } from "../../bridge/agent-runner/tools";

describe("send_file", () => {
  const root = mkdtempSync(join(tmpdir(), "loopgate-send-"));
  const outside = mkdtempSync(join(tmpdir(), "loopgate-send-outside-"));
  const limits = { outputBytes: 200, commandTimeoutMs: 2000, writeBytes: 1000, sendFiles: 2, sendFileBytes: 100 };
  writeFileSync(join(outside, "secret.txt"), "not yours");
  mkdirSync(join(root, "out"));
  writeFileSync(join(root, "out", "chart.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  writeFileSync(join(root, "big.csv"), "x".repeat(101));
  writeFileSync(join(root, "empty.txt"), "");
  symlinkSync(join(outside, "secret.txt"), join(root, "link.txt"));
  symlinkSync(outside, join(root, "escape"));

  it("hands over a workspace file's bytes and name", async () => {
    const sent: SentFile[] = [];
    const out = await runTool("send_file", { path: "out/chart.png" }, root, limits, sent);
    expect(out).toEqual({ content: "chart.png (7 bytes) will be sent after your answer" });
    expect(sent).toEqual([{ name: "chart.png", data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).toString("base64") }]);
  });

  it("refuses paths outside the workspace, symlinks, folders and empty files", async () => {
    const sent: SentFile[] = [];
    for (const path of ["../../etc/passwd", "/etc/passwd", "link.txt", "escape/secret.txt", ".", "out", "empty.txt", "missing.txt", ""]) {
      expect(await runTool("send_file", { path }, root, limits, sent), path).toMatchObject({ isError: true });
    }
    expect(sent).toEqual([]);
  });

  it("keeps to the turn's file count and bytes", async () => {
    const sent: SentFile[] = [];
    expect(await runTool("send_file", { path: "big.csv" }, root, limits, sent)).toMatchObject({
      isError: true,
      content: expect.stringContaining("100 bytes together"),
    });
    await runTool("send_file", { path: "out/chart.png" }, root, limits, sent);
    await runTool("send_file", { path: "out/chart.png" }, root, limits, sent);
    expect(await runTool("send_file", { path: "out/chart.png" }, root, limits, sent)).toMatchObject({
      isError: true,
      content: "at most 2 files can be sent with one answer",
    });
    expect(sent).toHaveLength(2);
  });

  it("is off when the bridge sets no file limits (an older bridge)", async () => {
    const { sendFiles: _n, sendFileBytes: _b, ...old } = limits;
    expect(await runTool("send_file", { path: "out/chart.png" }, root, old, [])).toMatchObject({ isError: true });
  });
});
