/** The CLI's stored logins (0600, atomic, per gateway) and its table output. */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { credentialsPath, normalizeUrl, readCredentials, removeLogin, saveLogin } from "../../src/cli/credentials";
import { formatDuration, renderTable } from "../../src/cli/output";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempHome(): string {
  const d = mkdtempSync(join(tmpdir(), "loopgate-cli-"));
  dirs.push(d);
  return d;
}

describe("credentials", () => {
  it("lives under XDG_CONFIG_HOME, else ~/.config", () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: "/x/cfg", HOME: "/home/a" })).toBe("/x/cfg/loopgate/credentials.json");
    expect(credentialsPath({ HOME: "/home/a" })).toBe("/home/a/.config/loopgate/credentials.json");
  });

  it("is written 0600 in a 0700 folder, keeps one login per gateway and tracks the current one", () => {
    const path = credentialsPath({ XDG_CONFIG_HOME: tempHome() });
    saveLogin(path, { url: "http://a:1", token: "t1", savedAt: 1 });
    saveLogin(path, { url: "https://b.example", token: "t2", tokenId: "tok_2", savedAt: 2 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(readCredentials(path)).toMatchObject({
      current: "https://b.example",
      logins: { "http://a:1": { token: "t1" }, "https://b.example": { token: "t2" } },
    });
    expect(removeLogin(path, "https://b.example")?.tokenId).toBe("tok_2");
    expect(readCredentials(path).current).toBe("http://a:1");
    expect(JSON.parse(readFileSync(path, "utf8")).logins["https://b.example"]).toBeUndefined();
    removeLogin(path, "http://a:1");
    expect(readCredentials(path)).toEqual({ logins: {} });
  });

  it("normalizes URLs so one gateway has one entry, and rejects non-http ones", () => {
    expect(normalizeUrl("http://Host:8787/")).toBe("http://host:8787");
    expect(normalizeUrl("localhost:8787")).toBe("http://localhost:8787");
    expect(normalizeUrl("https://x.example/base/")).toBe("https://x.example/base");
    expect(() => normalizeUrl("ftp://x")).toThrow(/not an http\(s\) URL/);
  });
});

describe("output", () => {
  it("aligns columns and cuts long cells", () => {
    const table = renderTable(
      ["id", "name"],
      [
        ["ch_1", "a"],
        ["ch_22", "x".repeat(100)],
      ],
      10,
    );
    expect(table.split("\n")).toEqual(["ID     NAME", "ch_1   a", `ch_22  ${"x".repeat(9)}…`]);
  });

  it("formats durations coarsely", () => {
    expect([formatDuration(5), formatDuration(65), formatDuration(3700), formatDuration(90_000)]).toEqual(["5s", "1m 5s", "1h 1m", "1d 1h"]);
  });
});
