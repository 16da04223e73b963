/**
 * Property-based fuzzing of every inbound parser and verifier in real workerd: each channel
 * type in the registry (through its test profile) gets malformed, truncated, huge, wrongly
 * typed and wrongly encoded bodies at /hooks/:id, wrapped (encrypted, form-encoded) and signed
 * as the platform would where the scheme can be computed, so the parser behind the check is reached. Whatever
 * arrives, the answer is never a 5xx, and a refused request stores nothing (so no model sees it).
 * The bridge protocol gets the same treatment over a real bridge socket.
 */
import { env, SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_WEBHOOK_BODY_BYTES } from "../../src/channels/shared/read-body";
import { profiledChannels } from "./channel-profiles";
import { adminToken, BASE, call, eventually, routeFetchTo, withoutRealNetwork } from "./helpers";

/** Runs per channel type: enough to reach every field of the samples, bounded so the file stays well under 30 s. */
const RUNS_PER_CHANNEL = 100;
/** 100 runs take 1-5 s on an idle machine (JWT checks, 256 KB bodies); vitest's 5 s default is too tight on a shared one. */
const CHANNEL_TIMEOUT_MS = 30_000;

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
  // Thousands of refused requests each log a line; left to print, they can still be in flight
  // to the runner when the file ends (an unhandled "rpc closing" error). The lines are not checked.
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside `value`, the root included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** A copy of `sample` with the value at `path` replaced (or removed when `replacement` is undefined). */
function mutate(sample: unknown, path: (string | number)[], replacement: Json | undefined): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(sample) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** Wrongly typed values: the other JSON types, and the edge cases of each. */
const wrongValue: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constantFrom<Json | undefined>(undefined, null, 0, -1, 1e308, "", "0", true, [], {}, [null], { "": null }),
  fc.jsonValue() as fc.Arbitrary<Json>,
  fc.string({ unit: "binary", maxLength: 40 }),
);

/** A request body: mutated, truncated, huge, random or wrongly encoded. Bytes, since some are not UTF-8. */
function bodies(samples: unknown[]): fc.Arbitrary<{ kind: string; bytes: Uint8Array }> {
  const utf8 = (kind: string, text: string) => ({ kind, bytes: new TextEncoder().encode(text) });
  type Body = { kind: string; bytes: Uint8Array };
  const fromSamples: (fc.Arbitrary<Body> | fc.WeightedArbitrary<Body>)[] =
    samples.length === 0
      ? []
      : [
          // Mostly one field of a real payload given the wrong type: the inputs that get past the signature and the JSON parser.
          {
            weight: 10,
            arbitrary: fc
              .constantFrom(...samples)
              .chain((s) => fc.tuple(fc.constant(s), fc.constantFrom(...paths(s)), wrongValue))
              .map(([s, path, v]) => utf8(`mutated ${path.join(".")}`, JSON.stringify(mutate(s, path, v)) ?? "")),
          },
          fc
            .constantFrom(...samples)
            .chain((s) => fc.nat({ max: JSON.stringify(s).length }).map((n) => utf8(`truncated at ${n}`, JSON.stringify(s).slice(0, n)))),
          fc
            .constantFrom(...samples)
            .chain((s) =>
              fc
                .constantFrom(...paths(s))
                .map((path) => utf8(`huge ${path.join(".")}`, JSON.stringify(mutate(s, path, "x".repeat(MAX_WEBHOOK_BODY_BYTES))) ?? "")),
            ),
        ];
  return fc.oneof(
    ...fromSamples,
    (fc.jsonValue() as fc.Arbitrary<Json>).map((v) => utf8("random json", JSON.stringify(v))),
    fc.string({ unit: "grapheme", maxLength: 200 }).map((s) => utf8("random text", s)),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: "random bytes", bytes })),
    fc.constant({ kind: "invalid UTF-8 in JSON", bytes: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]) }),
  );
}

const storedCount = async (channelId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE channel_id = ?").bind(channelId).first<{ n: number }>())!.n;

describe("fuzzing /hooks/:id for every channel type", () => {
  for (const { adapter, profile } of profiledChannels.filter((c) => c.adapter.verify)) {
    it(`${adapter.type}: never a 5xx, and a refused request stores nothing`, { timeout: CHANNEL_TIMEOUT_MS }, async () => {
      const prepared = await profile.prepare();
      // Configs name hosts nobody serves: their calls fail as a network error would, without a DNS lookup.
      withoutRealNetwork();
      for (const [base, handle] of Object.entries(prepared.fakes ?? {})) routeFetchTo(base, handle);
      // Disabled: a request that is accepted is recorded but never reaches the model.
      const created = await call<{ channel: { id: string } }>(
        "POST",
        "/api/channels",
        { type: adapter.type, name: `fuzz-${adapter.type}`, policy: "disabled", config: prepared.config },
        admin,
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.channel.id;
      // Messages reach D1 from the sender's object after the 200, so storage is checked at the end:
      // at least what the gateway said it accepted, at most one per request it did not refuse.
      let accepted = 0;
      let notRefused = 0;
      // /hooks turns an adapter's exception into a 400; the fuzz still counts it as the adapter's bug.
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      await fc.assert(
        fc.asyncProperty(
          bodies(profile.samples),
          fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
          fc.constantFrom("POST", "POST", "POST", "GET", "PUT"),
          async (body, signed, method) => {
            // As the platform sends it: wrapped (encrypted, form-encoded) where it wraps, then signed.
            const bytes = signed && prepared.seal ? new TextEncoder().encode(await prepared.seal(new TextDecoder().decode(body.bytes))) : body.bytes;
            const text = new TextDecoder().decode(bytes);
            const headers = signed && prepared.sign ? await prepared.sign(text, Date.now()) : { "content-type": "application/json" };
            const res = await SELF.fetch(`${BASE}/hooks/${id}`, { method, headers, body: method === "GET" ? undefined : bytes });
            const answer = await res.text();
            expect(res.status, `${body.kind}, ${signed ? "signed" : "unsigned"} ${method}: ${answer.slice(0, 300)}`).toBeLessThan(500);
            if (res.status >= 300) return;
            const json = (() => {
              try {
                return JSON.parse(answer) as { accepted?: number; ignored?: string; challenge?: string };
              } catch {
                return {};
              }
            })();
            accepted += json.accepted ?? 0;
            if (json.ignored === undefined && json.challenge === undefined) notRefused += json.accepted ?? 1;
          },
        ),
        { numRuns: RUNS_PER_CHANNEL },
      );
      const stored = await eventually(async () => {
        const n = await storedCount(id);
        return n >= accepted && n;
      }).catch(() => storedCount(id));
      expect(stored).toBeGreaterThanOrEqual(accepted);
      expect(stored, "messages stored from refused requests").toBeLessThanOrEqual(notRefused);
      expect(errors.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("adapter threw"))).toEqual([]);
      errors.mockRestore();
    });
  }
});

describe("fuzzing the bridge protocol", () => {
  it("a malformed frame is dropped: nothing stored, the socket keeps working", async () => {
    const bridge = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "fuzzed" }, admin);
    const channel = await call<{ channel: { id: string } }>(
      "POST",
      "/api/channels",
      { type: "signal", name: "fuzz-bridge", policy: "disabled", config: { bridgeId: bridge.body.bridge.id, account: "+15550001234" } },
      admin,
    );
    const channelId = channel.body.channel.id;
    const res = await SELF.fetch(`${BASE}/bridge/connect`, { headers: { upgrade: "websocket", authorization: `Bearer ${bridge.body.token}` } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const acks: { id: string; rejected?: string }[] = [];
    let channelsPushed = false;
    ws.addEventListener("message", (e) => {
      const frame = JSON.parse(String(e.data)) as { t: string; id?: string; rejected?: string; channels?: unknown[] };
      if (frame.t === "inbound.ack") acks.push({ id: frame.id!, rejected: frame.rejected });
      if (frame.t === "channels") channelsPushed = true;
    });
    ws.accept();
    ws.send(JSON.stringify({ t: "hello", version: "fuzz", heartbeatMs: 60_000 }));
    await eventually(async () => channelsPushed);

    const valid = {
      t: "inbound",
      id: "ob-valid",
      channelId,
      message: { senderId: "+15550009999", senderName: "Fuzz", platformMessageId: "sig-1", text: "hello", replyContext: { a: "b" } },
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(...paths(valid).filter((p) => p.length > 0)).chain((path) => wrongValue.map((v) => JSON.stringify(mutate(valid, path, v)) ?? "")),
          fc.nat({ max: JSON.stringify(valid).length - 1 }).map((n) => JSON.stringify(valid).slice(0, n)),
          fc.string({ unit: "binary", maxLength: 200 }),
          (fc.jsonValue() as fc.Arbitrary<Json>).map((v) => JSON.stringify(v)),
        ),
        async (frame) => {
          ws.send(frame);
        },
      ),
      { numRuns: 150 },
    );
    // The socket still works after the garbage: a valid frame (sent last, so handled last) is acknowledged.
    ws.send(JSON.stringify(valid));
    await eventually(async () => acks.some((a) => a.id === "ob-valid"));
    // Only frames the schema accepts were stored: each stored message has an acknowledged outbox id.
    const stored = await storedCount(channelId);
    expect(stored).toBeLessThanOrEqual(acks.filter((a) => !a.rejected).length);
    ws.close(1000, "done");
  });
});
