import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_SYSTEM_PROMPT } from "../../src/agent/system-prompt.generated";

describe("the default system prompt", () => {
  it("is system-prompt.md as bundled (run `node scripts/gen-system-prompt.mjs` after editing it)", () => {
    expect(DEFAULT_SYSTEM_PROMPT).toBe(readFileSync(resolve(import.meta.dirname, "../../system-prompt.md"), "utf8").trim());
  });

  it("tells the model that channel messages are untrusted and names its tools", () => {
    expect(DEFAULT_SYSTEM_PROMPT).toContain('<channel_message trust="untrusted">');
    expect(DEFAULT_SYSTEM_PROMPT).toContain("current_time");
    expect(DEFAULT_SYSTEM_PROMPT).toContain("remember_note");
  });
});
