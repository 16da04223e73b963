import { describe, expect, it } from "vitest";
import prices from "../../src/agent/prices.json";
import { costOf, DEFAULT_MODEL, knownModels, pricesFor } from "../../src/agent/pricing";

const zero = { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 };

describe("the price table", () => {
  it("prices every model it lists, the default included, with cache rates consistent with input", () => {
    expect(knownModels()).toContain(DEFAULT_MODEL);
    for (const [model, p] of Object.entries(prices.models)) {
      expect(p.output, model).toBeGreaterThan(p.input);
      expect(p.cacheWrite5m, model).toBeCloseTo(p.input * 1.25, 6);
      expect(p.cacheWrite1h, model).toBeCloseTo(p.input * 2, 6);
      expect(p.cacheRead, model).toBeLessThan(p.input);
    }
  });

  it("accepts dated snapshots and context suffixes, and reports an unknown model as unpriced", () => {
    expect(pricesFor("claude-sonnet-5-5-20261001")).toEqual(pricesFor("claude-sonnet-5-5"));
    expect(pricesFor("claude-opus-5-5[1m]")).toEqual(pricesFor("claude-opus-5-5"));
    expect(costOf("gpt-nothing", { ...zero, inputTokens: 1000 })).toEqual({ costUsd: 0, cacheSavingsUsd: 0, priced: false });
  });
});

describe("cost of a call", () => {
  it("adds input, output, cache writes and cache reads at their own rates (Sonnet 5.5: 2 / 10 / 2.5 / 4 / 0.1 per MTok)", () => {
    const c = costOf("claude-sonnet-5-5", {
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cacheWriteTokens: 200_000,
      cacheWrite1hTokens: 50_000,
      cacheReadTokens: 3_000_000,
    });
    // 2 + 1 + 150k*2.5/1M + 50k*4/1M + 3M*0.1/1M
    expect(c.costUsd).toBeCloseTo(2 + 1 + 0.375 + 0.2 + 0.3, 9);
    expect(c.priced).toBe(true);
  });

  it("counts what caching saved: reads at the input rate minus what they cost, less the write premium", () => {
    const first = costOf("claude-sonnet-5-5", { ...zero, cacheWriteTokens: 10_000 });
    expect(first.cacheSavingsUsd).toBeCloseTo(-10_000 * 0.5e-6, 12);
    const later = costOf("claude-sonnet-5-5", { ...zero, cacheReadTokens: 10_000 });
    expect(later.cacheSavingsUsd).toBeCloseTo(10_000 * 1.9e-6, 12);
  });

  it("bills a long Haiku 5.5 prompt entirely at the long-prompt rates", () => {
    const short = costOf("claude-haiku-5-5", { ...zero, inputTokens: 100_000, outputTokens: 1_000_000 });
    const long = costOf("claude-haiku-5-5", { ...zero, inputTokens: 100_001, outputTokens: 1_000_000 });
    expect(short.costUsd).toBeCloseTo(0.01 + 0.5, 9);
    expect(long.costUsd).toBeCloseTo(100_001 * 0.5e-6 + 2.5, 9);
  });
});
