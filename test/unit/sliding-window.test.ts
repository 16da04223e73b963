import { describe, expect, it } from "vitest";
import { checkWindow, type WindowState } from "../../src/pipeline/sliding-window";

function run(times: number[], max = 10, windowMs = 60_000) {
  let state: WindowState = { accepted: [], notifiedUntil: 0 };
  return times.map((t) => {
    const r = checkWindow(state, t, max, windowMs);
    state = r.state;
    return r.decision;
  });
}

describe("sliding-window rate limit", () => {
  it("allows 10 in a minute and refuses the 11th, telling the sender once", () => {
    const d = run(Array.from({ length: 13 }, (_, i) => 1000 + i * 100));
    expect(d.slice(0, 10).every((x) => x.allowed)).toBe(true);
    expect(d.slice(10).map((x) => (x.allowed ? "ok" : x.notify))).toEqual([true, false, false]);
  });

  it("slides: a slot frees exactly one window after the oldest accepted message", () => {
    const times = [...Array.from({ length: 10 }, (_, i) => i * 1000), 59_999, 60_000, 60_001];
    const d = run(times);
    expect(d.map((x) => x.allowed)).toEqual([...Array(10).fill(true), false, true, false]);
  });

  it("reports when the next slot frees", () => {
    const d = run([0, 10_000, 20_000], 2);
    expect(d[2]).toEqual({ allowed: false, notify: true, retryAfterMs: 40_000 });
  });

  it("notifies again in a later window, not within the same one", () => {
    const d = run([0, 1, 2, 3, 60_000, 60_001, 60_002, 60_003], 2);
    expect(d.map((x) => (x.allowed ? "ok" : x.notify ? "told" : "quiet"))).toEqual(["ok", "ok", "told", "quiet", "ok", "ok", "told", "quiet"]);
  });

  it("does not count refused messages against the sender", () => {
    const d = run([0, 1, 2, 3, 4, 5, 60_000], 1);
    expect(d.at(-1)).toEqual({ allowed: true });
  });
});
