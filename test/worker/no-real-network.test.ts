/** Worker tests replace platforms with fakes; a URL no fake is routed for must fail, not reach the internet. */
import { describe, expect, it } from "vitest";
import { fakeCallbacks, routeFetchTo } from "./helpers";

describe("routed fetches in worker tests", () => {
  it("fail like an unreachable network for a URL no route matches", async () => {
    routeFetchTo("https://platform.fake/", async () => Response.json({ ok: true }));
    expect(await (await fetch("https://platform.fake/api")).json()).toEqual({ ok: true });
    await expect(fetch("https://example.com/")).rejects.toThrow(/not routed to a fake/);
  });

  it("hand an unmatched URL to the route installed before them", async () => {
    routeFetchTo("https://first.fake/", async () => new Response("first"));
    const callbacks = fakeCallbacks();
    try {
      expect(await (await fetch("https://first.fake/x")).text()).toBe("first");
      await expect(fetch("https://example.org/")).rejects.toThrow(/not routed to a fake/);
    } finally {
      callbacks.restore();
    }
  });
});
