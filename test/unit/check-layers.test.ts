/** The layer check (scripts/check-layers.mjs, run by `npm run check`) passes on the tree and fails on an upward import or a cycle. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const SCRIPT = resolve(import.meta.dirname, "../../scripts/check-layers.mjs");
const scratch: string[] = [];
afterEach(() => scratch.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-"));
  scratch.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const check = (root?: string) => spawnSync(process.execPath, [SCRIPT, ...(root ? [root] : [])], { encoding: "utf8" });

describe("layer check", () => {
  it("passes on the repository", () => {
    const result = check();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("accepts imports downwards and refuses one up a layer, naming both files", () => {
    const ok = tree({ "src/api/a.ts": 'import { x } from "../agent/b";\nexport const y = x;\n', "src/agent/b.ts": "export const x = 1;\n" });
    expect(check(ok).status).toBe(0);
    const bad = tree({ "src/agent/b.ts": 'import { y } from "../api/a";\nexport const x = y;\n', "src/api/a.ts": "export const y = 1;\n" });
    const result = check(bad);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("src/agent/b.ts → src/api/a.ts: imports up a layer");
  });

  it("refuses a cycle inside one layer, type-only imports included", () => {
    const bad = tree({
      "src/agent/a.ts": 'import type { B } from "./b";\nexport type A = { b?: B };\n',
      "src/agent/b.ts": 'import type { A } from "./a";\nexport type B = { a?: A };\n',
    });
    const result = check(bad);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("import cycle: src/agent/a.ts ↔ src/agent/b.ts");
  });

  it("sees a folder's index imported as \".\" (a platform's adapter and its variant importing each other)", () => {
    const bad = tree({
      "src/channels/slack/index.ts": 'import { socket } from "./socket-mode";\nexport const LIMIT = 4000;\nexport default [socket];\n',
      "src/channels/slack/socket-mode.ts": 'import { LIMIT } from ".";\nexport const socket = { LIMIT };\n',
    });
    const result = check(bad);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("import cycle: src/channels/slack/index.ts ↔ src/channels/slack/socket-mode.ts");
  });

  it("keeps the bridge to the shared bottom of src/ and platform code behind the registry", () => {
    const bad = tree({
      "bridge/src/x.ts": 'import { a } from "../../src/api/a";\nexport const x = a;\n',
      "src/api/a.ts": 'import { t } from "../channels/telegram/api";\nexport const a = t;\n',
      "src/channels/telegram/api.ts": "export const t = 1;\n",
    });
    const result = check(bad);
    expect(result.stderr).toContain("bridge/src/x.ts → src/api/a.ts: the bridge may use only");
    expect(result.stderr).toContain("src/api/a.ts → src/channels/telegram/api.ts: platform code is reached through src/channels/registry.ts");
  });
});
