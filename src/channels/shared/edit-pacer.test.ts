/** The streamed reply's edit pacing (edit-pacer.ts), on a clock the test moves by hand. */
import { describe, expect, it } from "vitest";
import { EditPacer } from "./edit-pacer";

const pacer = () => new EditPacer({ minIntervalMs: 1000, minFirstChars: 10 });

describe("EditPacer", () => {
  it("waits for enough text before the first message, then sends at once", () => {
    const p = pacer();
    p.offer("Hi");
    expect(p.waitMs(0)).toBeNull();
    p.offer("Hi there, here");
    expect(p.waitMs(0)).toBe(0);
    expect(p.take()).toBe("Hi there, here");
    expect(p.waitMs(0)).toBeNull(); // one change at a time
  });

  it("keeps only the newest text and spaces changes by the interval after each answer", () => {
    const p = pacer();
    p.offer("first part of it");
    p.take();
    p.offer("first part of it, and");
    p.offer("first part of it, and more");
    expect(p.waitMs(100)).toBeNull(); // still in flight
    p.settled(300, { ok: true });
    expect(p.current).toBe("first part of it");
    // Measured from the answer (300), not from when it was sent (0).
    expect(p.waitMs(800)).toBe(500);
    expect(p.waitMs(1300)).toBe(0);
    expect(p.take()).toBe("first part of it, and more");
    p.settled(1400, { ok: true });
    expect(p.current).toBe("first part of it, and more");
    expect(p.waitMs(5000)).toBeNull(); // nothing new
    expect(p.quietMs(2000)).toBe(400);
  });

  it("does not resend text that is already shown", () => {
    const p = pacer();
    p.offer("the same answer");
    p.take();
    p.settled(0, { ok: true });
    p.offer("the same answer");
    expect(p.waitMs(5000)).toBeNull();
  });

  it("waits out a retry-after and then sends the newest text", () => {
    const p = pacer();
    p.offer("first part of it");
    p.take();
    p.settled(0, { ok: true });
    p.offer("first part of it, two");
    p.take();
    p.settled(1000, { ok: false, retryAfterMs: 5000 });
    expect(p.current).toBe("first part of it");
    expect(p.waitMs(2000)).toBe(4000);
    p.offer("first part of it, two, three");
    expect(p.waitMs(6000)).toBe(0);
    expect(p.take()).toBe("first part of it, two, three");
  });

  it("retries the failed text when nothing newer came", () => {
    const p = pacer();
    p.offer("only this much text");
    p.take();
    p.settled(0, { ok: false });
    expect(p.started).toBe(false);
    expect(p.waitMs(999)).toBe(1);
    expect(p.take()).toBe("only this much text");
  });
});
