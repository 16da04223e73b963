/** The bridge trusts nothing a container hands over: files are bounded, renamed and sniffed again. */
import { describe, expect, it } from "vitest";
import { MAX_AGENT_FILE_BYTES, MAX_AGENT_FILES } from "../../../src/lib/agent-files";
import { checkAgentFiles } from "./agent-files";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const b64 = (b: Buffer) => b.toString("base64");

describe("checkAgentFiles", () => {
  it("takes the type from the bytes and a plain name from the path", () => {
    const checked = checkAgentFiles([
      { name: "../../etc/chart.txt", data: b64(PNG) },
      { name: "report.png", data: b64(Buffer.from("total: 12\n")) },
    ]);
    expect(checked.dropped).toEqual([]);
    expect(checked.files).toEqual([
      { name: "chart.txt", mediaType: "image/png", size: PNG.length, data: b64(PNG) },
      { name: "report.png", mediaType: "text/plain", size: 10, data: b64(Buffer.from("total: 12\n")) },
    ]);
  });

  it("drops what is not base64, too large together, or past the file count, and says why", () => {
    const half = b64(Buffer.alloc(MAX_AGENT_FILE_BYTES / 2 + 1, 1));
    const checked = checkAgentFiles([
      { name: "a.bin", data: "@@not base64@@" },
      { name: "b.bin", data: half },
      { name: "c.bin", data: half },
      { name: "d.bin", data: b64(Buffer.from("ok")) },
      { name: "e.bin", data: b64(Buffer.from("late")) },
    ]);
    expect(checked.files.map((f) => f.name)).toEqual(["b.bin", "d.bin"]);
    expect(checked.dropped).toEqual([
      "a.bin: not valid base64 content",
      `c.bin: the files of one answer may have ${MAX_AGENT_FILE_BYTES} bytes together`,
      `1 files over the limit of ${MAX_AGENT_FILES}`,
    ]);
  });

  it("refuses a single file over the limit before decoding it", () => {
    const checked = checkAgentFiles([{ name: "huge.bin", data: "A".repeat(Math.ceil(MAX_AGENT_FILE_BYTES / 3) * 4 + 4) }]);
    expect(checked.files).toEqual([]);
    expect(checked.dropped[0]).toContain("huge.bin: over");
  });

  it("treats an absent list as no files and anything else as an error", () => {
    expect(checkAgentFiles(undefined)).toEqual({ files: [], dropped: [] });
    expect(checkAgentFiles("files")).toEqual({ files: [], dropped: ["files is not a list"] });
  });
});
