/**
 * The Worker's stand-in for the Anthropic SDK's vendored qs (stringify.ts) against the real
 * module, for the one mode the SDK uses (`arrayFormat: "brackets"`).
 */
import { describe, expect, it } from "vitest";
// The real module, by its file: the SDK's package exports do not expose `internal/`.
import { stringify as realStringify } from "../../../node_modules/@anthropic-ai/sdk/internal/qs/stringify.mjs";
import { stringify } from "./stringify";

const real = (query: unknown) => realStringify(query as Record<string, unknown>, { arrayFormat: "brackets" });

describe("the SDK's query strings", () => {
  const cases: [string, unknown][] = [
    ["empty", {}],
    ["a list call's paging", { limit: 20, after_id: "msgbatch_01", before_id: undefined }],
    ["booleans and numbers", { beta: true, off: false, n: 0, x: 1.5, big: 12345678901234567890n }],
    ["null is an empty value", { a: null, b: "" }],
    ["arrays in brackets", { ids: ["a", "b", "c"], empty: [] }],
    ["nested objects", { created_at: { gte: "2026-01-01", lt: "2026-02-01" } }],
    ["objects in arrays", { filter: [{ k: "v" }, { k: "w" }] }],
    ["dates", { since: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }],
    ["reserved and unicode characters", { "e-mail": "a+b@example.com", q: "x y&z=1/2?#[]!'()*~._-", name: "Zoë 日本 😀" }],
    ["keys with brackets", { "a[b]": "c" }],
  ];
  it.each(cases)("%s", (_name, query) => {
    expect(stringify(query, { arrayFormat: "brackets" })).toBe(real(query));
  });

  it("refuses a cyclic object, as qs does", () => {
    const query: Record<string, unknown> = { a: 1 };
    query.self = query;
    expect(() => stringify(query)).toThrow(RangeError);
    expect(() => real(query)).toThrow(RangeError);
  });
});
