/**
 * Isolation of channel plugins: deliberately broken plugin adapters (throwing, returning
 * garbage, missing fields) are refused at load or fail alone with a clear result and a fault
 * report for their channel, never an exception into the gateway.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ChannelPluginError, guardPlugin } from "./plugin-guard";
import { adapterProblem, loadModules, type ChannelLoadError } from "./registry";
import type { ChannelAdapter, ChannelContext } from "./shared/types";

const ctx: ChannelContext<{ token: string }> = { channelId: "ch_1", config: { token: "t" }, publicUrl: "http://gw", now: 0, fetch };
const outbound = { recipient: "u1", text: "hi", deliveryId: "d1" };

function plugin(overrides: Partial<Record<keyof ChannelAdapter, unknown>>): ChannelAdapter<{ token: string }> {
  return {
    type: "broken",
    description: "a plugin under test",
    configSchema: z.object({ token: z.string() }),
    secretFields: ["token"],
    maxMessageLength: 1000,
    send: async () => ({ ok: true }),
    ...overrides,
  } as ChannelAdapter<{ token: string }>;
}

function guarded(overrides: Partial<Record<keyof ChannelAdapter, unknown>>) {
  const faults: { channelId: string; error: string }[] = [];
  const adapter = guardPlugin(plugin(overrides), "loopgate-channel-broken@1.0.0", (channelId, error) => void faults.push({ channelId, error }));
  return { adapter, faults };
}

describe("plugin guard", () => {
  it("turns a throwing send into a retryable failure naming the package, and reports the channel", async () => {
    const { adapter, faults } = guarded({ send: async () => Promise.reject(new Error("ECONNRESET")) });
    const result = await adapter.send(outbound, ctx);
    expect(result).toEqual({ ok: false, retryable: true, error: "channel plugin loopgate-channel-broken@1.0.0 threw in send: ECONNRESET" });
    expect(faults).toEqual([{ channelId: "ch_1", error: result.ok ? "" : result.error }]);
  });

  it("refuses a garbage send result without retrying it", async () => {
    const { adapter, faults } = guarded({ send: async () => ({ delivered: "yes" }) });
    const result = await adapter.send(outbound, ctx);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok ? "" : result.error).toMatch(/returned an invalid send result/);
    expect(faults).toHaveLength(1);
  });

  it("passes a good send result through unchanged and reports nothing", async () => {
    const { adapter, faults } = guarded({ send: async () => ({ ok: false, retryable: true, retryAfterMs: 5000, error: "HTTP 429" }) });
    expect(await adapter.send(outbound, ctx)).toEqual({ ok: false, retryable: true, retryAfterMs: 5000, error: "HTTP 429" });
    expect(faults).toEqual([]);
  });

  it("answers 503 with Retry-After when verify throws, so the platform retries and nothing is stored", async () => {
    const { adapter, faults } = guarded({
      verify: () => {
        throw new TypeError("cannot read properties of undefined");
      },
    });
    const result = await adapter.verify!(new Request("http://gw/hooks/ch_1", { method: "POST", body: "{}" }), ctx);
    expect(result.kind).toBe("response");
    const response = result.kind === "response" ? result.response : new Response();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("60");
    expect(faults[0]?.error).toBe("channel plugin loopgate-channel-broken@1.0.0 threw in verify: cannot read properties of undefined");
  });

  it("refuses verify results with messages missing fields or with a status outside the contract", async () => {
    for (const bad of [
      { kind: "messages", messages: [{ senderId: "u1", text: "no id" }] },
      { kind: "messages", messages: [{ senderId: "", platformMessageId: "m1", text: "empty sender" }] },
      { kind: "rejected", status: 500, error: "x" },
      { kind: "response", response: "ok" },
      undefined,
    ]) {
      const { adapter, faults } = guarded({ verify: async () => bad });
      const result = await adapter.verify!(new Request("http://gw/hooks/ch_1"), ctx);
      expect(result.kind === "response" && result.response.status, JSON.stringify(bad)).toBe(503);
      expect(faults[0]?.error).toMatch(/returned an invalid verify result/);
    }
  });

  it("keeps a valid verify result, dropping fields the contract does not know", async () => {
    const message = { senderId: "u1", platformMessageId: "m1", text: "hello", receivedAt: 5, extra: true };
    const { adapter } = guarded({ verify: async () => ({ kind: "messages", messages: [message] }) });
    expect(await adapter.verify!(new Request("http://gw/hooks/ch_1"), ctx)).toEqual({
      kind: "messages",
      messages: [{ senderId: "u1", platformMessageId: "m1", text: "hello" }],
    });
  });

  it("turns setup and fetchAttachment failures into error results", async () => {
    const { adapter } = guarded({ setup: async () => Promise.reject(new Error("boom")), fetchAttachment: async () => ({ ok: true, bytes: "not bytes" }) });
    expect(await adapter.setup!(ctx)).toEqual({ ok: false, steps: ["channel plugin loopgate-channel-broken@1.0.0 threw in setup: boom"] });
    expect(await adapter.fetchAttachment!({ type: "image/png", url: "x" }, ctx, 10)).toMatchObject({ ok: false, reason: "unavailable" });
  });

  it("raises a ChannelPluginError when prepareConfig throws or breaks its own schema", () => {
    expect(() => guarded({ prepareConfig: () => ({ token: 42 }) }).adapter.prepareConfig!({ token: "t" })).toThrow(ChannelPluginError);
    expect(() =>
      guarded({
        prepareConfig: () => {
          throw new Error("nope");
        },
      }).adapter.prepareConfig!({ token: "t" }),
    ).toThrow(/threw in prepareConfig: nope/);
  });
});

describe("plugin loading", () => {
  it("names what is wrong with an export that is not an adapter", () => {
    expect(adapterProblem(null)).toBe("the export is not an adapter object");
    expect(adapterProblem(plugin({ type: "Bad Type" }))).toMatch(/lower-case id/);
    expect(adapterProblem(plugin({ send: undefined }))).toBe("broken: send must be a function");
    expect(adapterProblem(plugin({ maxMessageLength: 0 }))).toMatch(/positive integer/);
    expect(adapterProblem(plugin({ verify: "yes" }))).toBe("broken: verify must be a function when present");
    expect(adapterProblem(plugin({ configSchema: {} }))).toMatch(/zod schema/);
  });

  it("loads the good adapters of a module list, reports the rest, and never lets a plugin replace a built-in type", () => {
    const errors: ChannelLoadError[] = [];
    const loaded = loadModules(
      [
        { source: "good@1.0.0", exports: [plugin({ type: "good" }), plugin({ type: "telegram" })] },
        { source: "garbage@0.1.0", exports: 42 },
        { source: "dup@2.0.0", exports: plugin({ type: "good" }) },
      ],
      new Set(["telegram"]),
      errors,
    );
    expect([...loaded.keys()]).toEqual(["good"]);
    expect(errors).toEqual([
      { source: "good@1.0.0", error: 'channel type "telegram" is already provided by another module' },
      { source: "garbage@0.1.0", error: "the export is not an adapter object" },
      { source: "dup@2.0.0", error: 'channel type "good" is already provided by another module' },
    ]);
  });
});
