/** The fake Messages API refuses what the real one refuses, with the real error shapes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";

const KEY = "sk-ant-fake-check";
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 0 });
});
afterAll(() => fake.close());

const valid = { model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] };

async function post(body: unknown, headers: Record<string, string> = { "x-api-key": KEY, "anthropic-version": "2023-06-01" }) {
  const res = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { type: string; error?: { type: string; message: string }; usage?: Record<string, number> },
  };
}

describe("the fake Messages API", () => {
  it("answers a valid request with a message and its usage, with the key as x-api-key or as a bearer token", async () => {
    const a = await post(valid);
    expect(a.status).toBe(200);
    expect(a.body.type).toBe("message");
    const b = await post(valid, { authorization: `Bearer ${KEY}`, "anthropic-version": "2026-10-21" });
    expect(b.status).toBe(200);
  });

  it("refuses a missing or wrong key with 401 authentication_error and a request id", async () => {
    for (const headers of [{ "anthropic-version": "2023-06-01" }, { "x-api-key": "nope", "anthropic-version": "2023-06-01" }] as Record<string, string>[]) {
      const r = await post(valid, headers);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      expect(r.headers.get("request-id")).toMatch(/^req_/);
    }
  });

  it("requires a known anthropic-version", async () => {
    expect((await post(valid, { "x-api-key": KEY })).status).toBe(400);
    expect((await post(valid, { "x-api-key": KEY, "anthropic-version": "1999-01-01" })).status).toBe(400);
  });

  it.each([
    ["malformed JSON", "{", "error parsing the body"],
    ["no model", { ...valid, model: undefined }, "model"],
    ["zero max_tokens", { ...valid, max_tokens: 0 }, "max_tokens"],
    ["no messages", { ...valid, messages: [] }, "messages"],
    ["an unknown field", { ...valid, colour: "red" }, "Extra inputs are not permitted"],
    ["an empty text block", { ...valid, messages: [{ role: "user", content: [{ type: "text", text: "" }] }] }, "non-empty"],
    [
      "an unanswered tool_use",
      {
        ...valid,
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {} }] },
          { role: "user", content: "y" },
        ],
      },
      "without `tool_result`",
    ],
    [
      "five breakpoints",
      { ...valid, system: Array.from({ length: 5 }, (_, i) => ({ type: "text", text: `s${i}`, cache_control: { type: "ephemeral" } })) },
      "A maximum of 4 blocks",
    ],
  ])("rejects %s with 400 invalid_request_error", async (_, body, message) => {
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.body.error?.type).toBe("invalid_request_error");
    expect(r.body.error?.message).toContain(message);
  });

  it("rejects sampling parameters under API version 2026-10-21", async () => {
    const r = await post({ ...valid, temperature: 0.5 }, { "x-api-key": KEY, "anthropic-version": "2026-10-21" });
    expect(r.status).toBe(400);
  });

  it("sends 429 with retry-after and rate-limit headers, 529 overloaded_error, and a spend-limit 429 without retry-after", async () => {
    fake.enqueue(
      { kind: "error", status: 429, retryAfter: 7 },
      { kind: "error", status: 529 },
      { kind: "error", status: 429, errorCode: "enforced_spend_limit_reached" },
    );
    const a = await post(valid);
    expect(a.status).toBe(429);
    expect(a.headers.get("retry-after")).toBe("7");
    expect(a.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(a.body.error?.type).toBe("rate_limit_error");
    const b = await post(valid);
    expect([b.status, b.body.error?.type]).toEqual([529, "overloaded_error"]);
    const c = await post(valid);
    expect(c.status).toBe(429);
    expect(c.headers.get("retry-after")).toBeNull();
    expect(c.body.error).toMatchObject({ details: { error_code: "enforced_spend_limit_reached" } });
  });

  it("streams the documented event sequence with cumulative usage in message_delta", async () => {
    fake.enqueue({ kind: "tool_use", name: "current_time", input: { timezone: "UTC" }, text: "Checking." });
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...valid, stream: true, tools: [{ name: "current_time", input_schema: { type: "object" } }] }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\w+)\ndata: (.+)$/gm)].map((m) => ({ event: m[1], data: JSON.parse(m[2]!) as Record<string, unknown> }));
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe("message_start");
    expect(kinds).toContain("ping");
    expect(kinds.at(-2)).toBe("message_delta");
    expect(kinds.at(-1)).toBe("message_stop");
    for (const e of events) expect(e.data.type).toBe(e.event);
    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => (e.data.delta as { type: string }).type);
    expect(deltas).toContain("text_delta");
    expect(deltas).toContain("input_json_delta");
    const json = events
      .filter((e) => (e.data.delta as { type?: string } | undefined)?.type === "input_json_delta")
      .map((e) => (e.data.delta as { partial_json: string }).partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ timezone: "UTC" });
    const delta = events.find((e) => e.event === "message_delta")!.data as {
      delta: { stop_reason: string };
      usage: { input_tokens: number; output_tokens: number };
    };
    expect(delta.delta.stop_reason).toBe("tool_use");
    expect(delta.usage.input_tokens).toBeGreaterThan(0);
    expect(delta.usage.output_tokens).toBeGreaterThan(1);
  });

  it("reads from the cache only when the prefix up to a breakpoint matches byte for byte", async () => {
    const system = [{ type: "text", text: "You are a careful assistant. ".repeat(40), cache_control: { type: "ephemeral" } }];
    const first = await post({ ...valid, system });
    const again = await post({ ...valid, system, messages: [{ role: "user", content: "something else" }] });
    const changed = await post({ ...valid, system: [{ ...system[0]!, text: system[0]!.text + "!" }] });
    expect(first.body.usage!.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(again.body.usage!.cache_read_input_tokens).toBe(first.body.usage!.cache_creation_input_tokens);
    expect(changed.body.usage!.cache_read_input_tokens).toBe(0);
  });
});
