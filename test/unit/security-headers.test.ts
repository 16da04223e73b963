/**
 * Security headers of the dashboard's files (dashboard/public/_headers for Workers static
 * assets and Pages, the Pages _worker.js for what it serves itself), and the address keys that
 * rate limits count against.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { addressKey } from "../../src/lib/address-key";

const PUBLIC = resolve(import.meta.dirname, "../../dashboard/public");

/** The headers `_headers` gives every path (`/*`). */
function headersFileRules(): Record<string, string> {
  const rules: Record<string, string> = {};
  let inAll = false;
  for (const line of readFileSync(join(PUBLIC, "_headers"), "utf8").split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    if (!line.startsWith(" ")) inAll = line.trim() === "/*";
    else if (inAll) {
      const at = line.indexOf(":");
      rules[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return rules;
}

interface PagesWorker {
  DASHBOARD_SECURITY_HEADERS: Record<string, string>;
  default: { fetch: (request: Request, env: { ASSETS: { fetch: (r: Request) => Promise<Response> }; LOOPGATE_API_URL?: string }) => Promise<Response> };
}

const loadPagesWorker = async () => (await import(pathToFileURL(join(PUBLIC, "_worker.js")).href)) as PagesWorker;

describe("dashboard security headers", () => {
  it("_headers forbids inline and foreign scripts and framing", () => {
    const rules = headersFileRules();
    const csp = rules["Content-Security-Policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(rules["X-Content-Type-Options"]).toBe("nosniff");
    expect(rules["Referrer-Policy"]).toBe("no-referrer");
    expect(rules["Strict-Transport-Security"]).toMatch(/^max-age=\d+/);
  });

  it("the Pages worker sends exactly the _headers set on the files it serves", async () => {
    const worker = await loadPagesWorker();
    expect(worker.DASHBOARD_SECURITY_HEADERS).toEqual(headersFileRules());
    const assets = { fetch: async () => new Response("<!doctype html>", { headers: { "content-type": "text/html" } }) };
    const res = await worker.default.fetch(new Request("https://dash.example/channels"), { ASSETS: assets });
    for (const [name, value] of Object.entries(headersFileRules())) expect(res.headers.get(name)).toBe(value);
    expect(res.headers.get("content-type")).toBe("text/html");
  });
});

describe("client address keys", () => {
  it("keys IPv6 by /64 whatever the spelling, IPv4 and IPv4-mapped by the address", () => {
    expect(addressKey("2001:db8:aa:1::5")).toBe("2001:db8:aa:1::/64");
    expect(addressKey("2001:0DB8:00aa:0001:ffff:1:2:3")).toBe("2001:db8:aa:1::/64");
    expect(addressKey("[2001:db8::1]")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("not:an:address:zz")).toBe("not:an:address:zz");
  });
});
