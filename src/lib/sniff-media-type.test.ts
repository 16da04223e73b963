/** The type of a file the agent sends comes from its bytes, whatever its name says. */
import { describe, expect, it } from "vitest";
import { safeFileName, sniffMediaType } from "./sniff-media-type";
import { agentFiles, fromBase64, MAX_AGENT_FILE_BYTES, toBase64 } from "./agent-files";

const bytes = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => new TextEncoder().encode(s);

describe("sniffMediaType", () => {
  it("knows pictures, PDF and archives by their magic numbers", () => {
    expect(sniffMediaType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13))).toBe("image/png");
    expect(sniffMediaType(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe("image/jpeg");
    expect(sniffMediaType(ascii("GIF89a\x01\x00"))).toBe("image/gif");
    expect(sniffMediaType(ascii("RIFF\x24\x00\x00\x00WEBPVP8 "))).toBe("image/webp");
    expect(sniffMediaType(ascii("%PDF-1.7\n"))).toBe("application/pdf");
    expect(sniffMediaType(bytes(0x50, 0x4b, 0x03, 0x04, 20, 0))).toBe("application/zip");
  });

  it("calls UTF-8 without control characters text, anything else binary", () => {
    expect(sniffMediaType(ascii("name,total\nUma,12\n"))).toBe("text/plain");
    expect(sniffMediaType(ascii("Grüße, 日本\r\n\tok"))).toBe("text/plain");
    expect(sniffMediaType(bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0))).toBe("application/octet-stream");
    expect(sniffMediaType(bytes(0xc3, 0x28))).toBe("application/octet-stream");
    expect(sniffMediaType(ascii("RIFF\x24\x00\x00\x00WAVEfmt "))).toBe("application/octet-stream");
    expect(sniffMediaType(new Uint8Array())).toBe("application/octet-stream");
  });

  it("is not fooled by a picture's name on a script, or a short file cut inside a signature", () => {
    expect(sniffMediaType(ascii("#!/bin/sh\nrm -rf /\n"))).toBe("text/plain");
    expect(sniffMediaType(bytes(0x89, 0x50, 0x4e))).toBe("application/octet-stream");
  });
});

describe("safeFileName", () => {
  it("keeps the last path segment, without characters that could break a header", () => {
    expect(safeFileName("charts/q3 sales.png")).toBe("q3 sales.png");
    expect(safeFileName("..\\..\\boot.ini")).toBe("boot.ini");
    expect(safeFileName('evil"\r\nX-Injected: 1.txt')).toBe("evilX-Injected: 1.txt");
    expect(safeFileName("../")).toBe("file");
    expect(safeFileName("..")).toBe("file");
    expect(safeFileName(`${"a".repeat(150)}.csv`)).toHaveLength(100);
    expect(safeFileName(`${"a".repeat(150)}.csv`).endsWith(".csv")).toBe(true);
  });
});

describe("agentFiles limits", () => {
  const file = (size: number) => ({ name: "a.bin", mediaType: "application/octet-stream", size, data: toBase64(new Uint8Array(size)) });

  it("round-trips bytes through base64", () => {
    const data = new Uint8Array(70_000).map((_, i) => i % 251);
    expect(fromBase64(toBase64(data))).toEqual(data);
  });

  it("refuse more than four files or more bytes together than the link and the ledger carry", () => {
    expect(agentFiles.safeParse([file(100)]).success).toBe(true);
    expect(agentFiles.safeParse(Array.from({ length: 5 }, () => file(10))).success).toBe(false);
    expect(agentFiles.safeParse([file(MAX_AGENT_FILE_BYTES / 2), file(MAX_AGENT_FILE_BYTES / 2)]).success).toBe(true);
    expect(agentFiles.safeParse([file(MAX_AGENT_FILE_BYTES / 2), file(MAX_AGENT_FILE_BYTES / 2 + 1)]).success).toBe(false);
    expect(agentFiles.safeParse([{ ...file(10), data: "not base64!" }]).success).toBe(false);
  });
});
