/**
 * Property-based fuzzing of the admin API's request schemas in real workerd: wrongly typed,
 * truncated, huge and wrongly encoded bodies to every route that takes one get a 4xx, never a
 * 5xx. Its own file, so the per-IP API rate limit it runs into is its own (a 429 is a 4xx too).
 */
import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, BASE, call } from "./helpers";

/** Runs per route: the API allows 120 calls a minute per IP, and every run is one call. */
const RUNS_PER_ROUTE = 10;

let admin: string;
let channelId: string;
beforeAll(async () => {
  admin = await adminToken();
  const created = await call<{ channel: { id: string } }>(
    "POST",
    "/api/channels",
    { type: "webhook", name: "api-fuzz", config: { callbackUrl: "https://callback.unreachable/x" } },
    admin,
  );
  channelId = created.body.channel.id;
});

const body: fc.Arbitrary<{ kind: string; bytes: Uint8Array | string }> = fc.oneof(
  (fc.jsonValue() as fc.Arbitrary<unknown>).map((v) => ({ kind: "random json", bytes: JSON.stringify(v) })),
  fc
    .record(
      { type: fc.jsonValue(), name: fc.jsonValue(), config: fc.jsonValue(), text: fc.jsonValue(), schedule: fc.jsonValue(), policy: fc.jsonValue() },
      { requiredKeys: [] },
    )
    .map((v) => ({ kind: "wrongly typed fields", bytes: JSON.stringify(v) })),
  fc.string({ maxLength: 100 }).map((s) => ({ kind: "truncated", bytes: `{"name":${JSON.stringify(s)}`.slice(0, s.length) })),
  fc.constant({ kind: "huge", bytes: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }) }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: "random bytes", bytes })),
);

describe("fuzzing the API's request schemas", () => {
  const routes: [string, () => string][] = [
    ["POST", () => "/api/channels"],
    ["PUT", () => `/api/channels/${channelId}`],
    ["POST", () => "/api/bridges"],
    ["POST", () => "/api/jobs"],
    ["POST", () => "/api/tasks"],
    ["POST", () => "/api/pairings"],
    ["POST", () => "/api/chat?wait=0"],
  ];
  for (const [method, path] of routes) {
    it(`${method} ${path().replace(/ch_\w+/, ":id")}: a 4xx for what its schema refuses, never a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(body, fc.constantFrom("application/json", "text/plain", "application/json; charset=latin1"), async (b, contentType) => {
          const res = await SELF.fetch(`${BASE}${path()}`, {
            method,
            headers: { authorization: `Bearer ${admin}`, "content-type": contentType },
            body: b.bytes,
          });
          const text = await res.text();
          expect(res.status, `${b.kind} as ${contentType}: ${text.slice(0, 300)}`).toBeLessThan(500);
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    });
  }
});
