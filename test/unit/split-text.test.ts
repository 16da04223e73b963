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

  it("prefers a paragraph to a line break, and a line break to a sentence end", () => {
    const text = `${"a".repeat(55)}\n\n${"b".repeat(10)}\n${"c".repeat(10)}. ${"d".repeat(40)}`;
    expect(splitText(text, 100)[0]).toBe("a".repeat(55));
    const lines = `${"a".repeat(55)}\n${"b".repeat(10)}. ${"c".repeat(50)}`;
    expect(splitText(lines, 100)[0]).toBe("a".repeat(55));
  });

  it("ends a chunk at a sentence rather than mid-sentence when there is no line break", () => {
    const text = "The first sentence is here. The second one follows! Is this the third? " + "Then a long tail of words ".repeat(5);
    const chunks = splitText(text, 80);
    expect(chunks[0]).toBe("The first sentence is here. The second one follows! Is this the third?");
    expect(chunks.every((c) => c.length <= 80)).toBe(true);
    expect(chunks.join(" ").replace(/\s+/g, " ").trim()).toBe(text.replace(/\s+/g, " ").trim());
    expect(splitText(`${"字".repeat(30)}。${"字".repeat(30)}`, 40)).toEqual([`${"字".repeat(30)}。`, "字".repeat(30)]);
  });

  it("cuts unbroken text hard and never splits a surrogate pair", () => {
    const text = "😀".repeat(10); // 20 UTF-16 units
    const chunks = splitText(text, 5);
    expect(chunks.every((c) => c.length <= 5)).toBe(true);
    expect(chunks.join("")).toBe(text);
    for (const c of chunks) expect(() => encodeURIComponent(c)).not.toThrow();
  });
});
