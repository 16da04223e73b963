/** The Worker's stand-in for js-base64 (index.ts) gives js-base64's own output for what mimetext calls. */
import { Base64 as Real } from "js-base64";
import { describe, expect, it } from "vitest";
import { Base64 } from "./index";

const samples = [
  "",
  "a",
  "ab",
  "abc",
  "Hello, World!",
  "Grüße aus Köln — “quoted” 日本語 😀",
  "line one\r\nline two\r\n",
  "\u0000\u00ff\u0100\uffff",
  "?>>?~~~",
  "x".repeat(100_003),
  "é".repeat(70_001),
];

describe("UTF-8 Base64 as mimetext uses it", () => {
  it.each(samples.map((s) => [s.length, s]))("encode, %i characters", (_n, text) => {
    expect(Base64.encode(text)).toBe(Real.encode(text));
  });
  it.each(samples.map((s) => [s.length, s]))("encodeURI, %i characters", (_n, text) => {
    expect(Base64.encodeURI(text)).toBe(Real.encodeURI(text));
  });
});
