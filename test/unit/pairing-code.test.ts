import { describe, expect, it } from "vitest";
import { LONG_PAIRING_CODE_LENGTH, newPairingCode, normalizePairingCode, PAIRING_CODE_ALPHABET, parsePairCommand } from "../../src/pipeline/pairing-code";

describe("pairing codes", () => {
  it("are 6 characters from an alphabet without look-alikes", () => {
    for (const ambiguous of "01OIL") expect(PAIRING_CODE_ALPHABET).not.toContain(ambiguous);
    const codes = new Set(Array.from({ length: 2000 }, newPairingCode));
    for (const c of codes) expect(c).toMatch(/^[2-9A-HJKMNP-Z]{6}$/);
    expect(codes.size).toBeGreaterThan(1990);
  });

  it("normalise what people type", () => {
    expect(normalizePairingCode("abc 2de")).toBe("ABC2DE");
    expect(normalizePairingCode("ab-c2-de")).toBe("ABC2DE");
    expect(normalizePairingCode("ABC2D")).toBeNull();
    expect(normalizePairingCode("ABC2D0")).toBeNull();
  });

  it("come in a long form (10 characters) for long-lived invites, typed with or without separators", () => {
    expect(newPairingCode(LONG_PAIRING_CODE_LENGTH)).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
    expect(normalizePairingCode("abcde-23456")).toBe("ABCDE23456");
    expect(normalizePairingCode("ABCDE2345")).toBeNull();
    expect(parsePairCommand("/pair abcde 23456")).toBe("ABCDE23456");
  });

  it("parse /pair commands, including Telegram's /pair@bot form", () => {
    expect(parsePairCommand("/pair ABC2DE")).toBe("ABC2DE");
    expect(parsePairCommand("  /PAIR abc2de ")).toBe("ABC2DE");
    expect(parsePairCommand("/pair@loopgate_bot ABC2DE")).toBe("ABC2DE");
    expect(parsePairCommand("/pair")).toBeNull();
    expect(parsePairCommand("/pair nonsense!")).toBeNull();
    expect(parsePairCommand("please pair me")).toBeUndefined();
    expect(parsePairCommand("/pairing ABC2DE")).toBeUndefined();
  });
});
