import { describe, expect, it } from "vitest";
import { splitText } from "../../src/lib/split-text";

describe("splitText", () => {
  it("leaves short text alone", () => {
    expect(splitText("hello", 10)).toEqual(["hello"]);
    expect(splitText("", 10)).toEqual([""]);
  });

  it("keeps every chunk within the limit and loses no words", () => {
    const text = Array.from({ length: 500 }, (_, i) => `word${i}`).join(" ");
    const chunks = splitText(text, 100);
    expect(chunks.every((c) => c.length <= 100)).toBe(true);
    expect(chunks.join(" ")).toBe(text);
  });

  it("prefers paragraph and line breaks", () => {
    const text = `${"a".repeat(60)}\n\n${"b".repeat(60)}`;
    expect(splitText(text, 100)).toEqual(["a".repeat(60), "b".repeat(60)]);
  });

  it("cuts unbroken text hard and never splits a surrogate pair", () => {
    const text = "😀".repeat(10); // 20 UTF-16 units
    const chunks = splitText(text, 5);
    expect(chunks.every((c) => c.length <= 5)).toBe(true);
    expect(chunks.join("")).toBe(text);
    for (const c of chunks) expect(() => encodeURIComponent(c)).not.toThrow();
  });
});
