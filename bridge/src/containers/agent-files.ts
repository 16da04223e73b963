/**
 * The bridge's check of the files a container hands over with its answer (send_file, see
 * bridge/agent-runner/send-file.ts): the container is not trusted, so the count and the bytes
 * are bounded again, the name is reduced to a plain file name, and the type is sniffed from
 * the content, never taken from the name. What passes goes into the turn result.
 */
import { type AgentFile, MAX_AGENT_FILE_BYTES, MAX_AGENT_FILES } from "../../../src/lib/agent-files";
import { safeFileName, sniffMediaType } from "../../../src/lib/sniff-media-type";

export interface CheckedFiles {
  files: AgentFile[];
  /** Why files were left out, for the admin (the run's error field). */
  dropped: string[];
}

/** Limits handed to the runner, so the agent hears of a file too large while it can still react. */
export const RUNNER_FILE_LIMITS = { sendFiles: MAX_AGENT_FILES, sendFileBytes: MAX_AGENT_FILE_BYTES };

export function checkAgentFiles(raw: unknown): CheckedFiles {
  const out: CheckedFiles = { files: [], dropped: [] };
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) return { files: [], dropped: ["files is not a list"] };
  let total = 0;
  for (const item of raw.slice(0, MAX_AGENT_FILES)) {
    const entry = typeof item === "object" && item !== null ? (item as Record<string, unknown>) : {};
    const name = safeFileName(typeof entry.name === "string" ? entry.name : "");
    const data = typeof entry.data === "string" ? entry.data : "";
    if (data.length > Math.ceil(MAX_AGENT_FILE_BYTES / 3) * 4) {
      out.dropped.push(`${name}: over ${MAX_AGENT_FILE_BYTES} bytes`);
      continue;
    }
    const bytes = Buffer.from(data, "base64");
    // Buffer.from ignores what is not base64: a round trip shows whether the text was really base64.
    if (bytes.length === 0 || bytes.toString("base64") !== data) {
      out.dropped.push(`${name}: not valid base64 content`);
      continue;
    }
    if (total + bytes.length > MAX_AGENT_FILE_BYTES) {
      out.dropped.push(`${name}: the files of one answer may have ${MAX_AGENT_FILE_BYTES} bytes together`);
      continue;
    }
    total += bytes.length;
    out.files.push({ name, mediaType: sniffMediaType(bytes), size: bytes.length, data });
  }
  if (raw.length > MAX_AGENT_FILES) out.dropped.push(`${raw.length - MAX_AGENT_FILES} files over the limit of ${MAX_AGENT_FILES}`);
  return out;
}
