/** Time-ordered ids and the bound `idFloor` gives readers that select them by time (the approvals list). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { idFloor, newId } from "./random";

afterEach(() => {
  vi.useRealTimers();
});

describe("time-ordered ids", () => {
  it("sort by the millisecond they were minted, and in minting order within one", () => {
    vi.useFakeTimers({ now: 1_790_000_000_000 });
    const a = newId("evt");
    const b = newId("evt");
    vi.setSystemTime(1_790_000_000_001);
    const c = newId("evt");
    expect([c, b, a].sort()).toEqual([a, b, c]);
  });

  it("idFloor sits below every id minted at or after its time and above every id minted before", () => {
    // Later than the first test: ids never go back in time within an isolate.
    const t = 1_800_000_000_000;
    vi.useFakeTimers({ now: t - 1 });
    const before = newId("evt");
    vi.setSystemTime(t);
    const at = newId("evt");
    vi.setSystemTime(t + 60_000);
    const after = newId("evt");
    const floor = idFloor("evt", t);
    expect(before < floor).toBe(true);
    expect(floor < at).toBe(true);
    expect(floor < after).toBe(true);
    // Another prefix sorts apart: the bound only orders ids of its own kind.
    expect(idFloor("evt", 0)).toBe("evt_000000000");
  });
});
