import { describe, expect, it } from "vitest";
import { addressedText } from "./irc";
import { IRC_LINE_BYTES, privmsgTextBudget, splitIrcMessage } from "./lines";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("IRC line splitting", () => {
  it("leaves room for the relay prefix, the command and CRLF inside 512 bytes", () => {
    const budget = privmsgTextBudget("loopbot", "#general");
    const worstPrefix = `:loopbot!~${"u".repeat(10)}@${"h".repeat(63)} `;
    expect(bytes(worstPrefix) + bytes("PRIVMSG #general :") + budget + 2).toBeLessThanOrEqual(IRC_LINE_BYTES);
    expect(budget).toBeGreaterThan(300);
  });

  it("splits long text between words and keeps every word", () => {
    const text = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ");
    const lines = splitIrcMessage(text, 100);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(bytes(line)).toBeLessThanOrEqual(100);
    expect(lines.join(" ")).toBe(text);
  });

  it("never cuts a multi-byte character in half", () => {
    const text = "héllo wörld ".repeat(40) + "🙂".repeat(60);
    const lines = splitIrcMessage(text, 37);
    for (const line of lines) {
      expect(bytes(line)).toBeLessThanOrEqual(37);
      expect(line).not.toContain("\uFFFD");
    }
    expect(lines.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
  });

  it("sends each line of a multi-line reply as its own message and drops empty lines", () => {
    expect(splitIrcMessage("first\r\n\nsecond\n   \nthird", 400)).toEqual(["first", "second", "third"]);
  });

  it("cuts a word longer than a line", () => {
    const lines = splitIrcMessage("x".repeat(250), 100);
    expect(lines).toEqual(["x".repeat(100), "x".repeat(100), "x".repeat(50)]);
  });
});

describe("addressed channel messages", () => {
  it.each([
    ["loopbot: what time is it?", "what time is it?"],
    ["LoopBot, hello", "hello"],
    ["@loopbot status", "status"],
    ["  loopbot:   spaced  ", "spaced"],
  ])("answers %j", (message, text) => expect(addressedText(message, "loopbot")).toBe(text));

  it.each(["hello loopbot", "loopbotter: hi", "loopbo: hi", "I told loopbot: no"])("ignores %j", (message) =>
    expect(addressedText(message, "loopbot")).toBeNull(),
  );

  it("treats regex characters in nicks literally", () => {
    expect(addressedText("bot|away: hi", "bot|away")).toBe("hi");
    expect(addressedText("botXaway: hi", "bot|away")).toBeNull();
  });
});
