/** `loopgate import` sends rows in chunks that each fit under the API's body limit. */
import { describe, expect, it } from "vitest";
import { chunkRows } from "../../src/cli/backup-chunks";
import { CliError } from "../../src/cli/errors";

describe("chunkRows", () => {
  it("keeps every chunk under 512 KiB of JSON and every row, in order", () => {
    const rows = Array.from({ length: 300 }, (_, i) => [`row-${i}`, "x".repeat(5000), i]);
    const chunks = chunkRows(rows, "messages");
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThan(512 * 1024 + 2);
    expect(chunks.flat()).toEqual(rows);
  });

  it("refuses a single row too large for one request, naming the table", () => {
    expect(() => chunkRows([["big", "x".repeat(600 * 1024)]], "sender history")).toThrow(CliError);
    expect(() => chunkRows([["big", "x".repeat(600 * 1024)]], "sender history")).toThrow(/a row of sender history/);
  });

  it("gives no chunks for no rows", () => {
    expect(chunkRows([], "jobs")).toEqual([]);
  });
});
