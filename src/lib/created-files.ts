/**
 * Files code execution created (docs/media.md, "Files the agent sends"): the code-execution
 * server tool names them by id in its result blocks (`bash_code_execution_output`, or
 * `code_execution_output` for the older tool version); they are downloaded with the Files API
 * (beta `files-api-2025-04-14`) and sent after the answer like the files a container's agent
 * sends. Used by the gateway for a direct turn (src/agent/claude.ts) and by the bridge's model
 * proxy for a container turn (bridge/src/containers/container-run.ts): whoever holds the key.
 * Bounded like the rest (MAX_AGENT_FILES, MAX_AGENT_FILE_BYTES, shared with files already taken
 * for the answer); the type is sniffed from the bytes. Web-standard: runs in the Worker and Node.
 */
import { type AgentFile, MAX_AGENT_FILE_BYTES, MAX_AGENT_FILES, toBase64 } from "./agent-files";
import { safeFileName, sniffMediaType } from "./sniff-media-type";

const FILES_BETA = "files-api-2025-04-14";
const API_VERSION = "2023-06-01";
const RESULT_TYPES = new Set(["bash_code_execution_tool_result", "code_execution_tool_result"]);

/**
 * The ids of files code execution created in these response content blocks (the SDK's, or plain
 * JSON on the bridge, where nothing about their shape is assumed), in order, each once.
 */
export function createdFileIds(content: readonly unknown[]): string[] {
  const ids: string[] = [];
  for (const item of content) {
    const block = typeof item === "object" && item !== null ? (item as { type?: unknown; content?: unknown }) : {};
    if (typeof block.type !== "string" || !RESULT_TYPES.has(block.type) || typeof block.content !== "object" || block.content === null) continue;
    const result = block.content as { content?: unknown };
    const outputs = Array.isArray(result.content) ? (result.content as { file_id?: unknown }[]) : [];
    for (const o of outputs) if (typeof o === "object" && o !== null && typeof o.file_id === "string" && !ids.includes(o.file_id)) ids.push(o.file_id);
  }
  return ids;
}

export interface FilesApi {
  apiKey: string;
  baseURL?: string;
  fetch: typeof fetch;
}

export interface DownloadedFiles {
  files: AgentFile[];
  /** Files left out and why, for the admin (feed events). */
  skipped: { fileId: string; reason: string }[];
}

/** What the answer's other files already use of the turn's limits (a container's send_file files). */
export interface FilesUsed {
  files: number;
  bytes: number;
}

/** Downloads the created files within the turn's limits; a file that cannot be had is skipped, never fatal. */
export async function downloadCreatedFiles(api: FilesApi, fileIds: readonly string[], already: FilesUsed = { files: 0, bytes: 0 }): Promise<DownloadedFiles> {
  const out: DownloadedFiles = { files: [], skipped: [] };
  const base = (api.baseURL ?? "https://api.anthropic.com").replace(/\/$/, "");
  const headers = { "x-api-key": api.apiKey, "anthropic-version": API_VERSION, "anthropic-beta": FILES_BETA };
  let used = already.bytes;
  for (const fileId of fileIds) {
    if (already.files + out.files.length >= MAX_AGENT_FILES) {
      out.skipped.push({ fileId, reason: `more than ${MAX_AGENT_FILES} files` });
      continue;
    }
    try {
      const meta = await api.fetch(`${base}/v1/files/${encodeURIComponent(fileId)}`, { headers });
      if (!meta.ok) {
        out.skipped.push({ fileId, reason: `metadata: HTTP ${meta.status}` });
        continue;
      }
      const info = (await meta.json()) as { filename?: string; size_bytes?: number; downloadable?: boolean };
      const size = info.size_bytes ?? 0;
      if (info.downloadable === false || size < 1 || used + size > MAX_AGENT_FILE_BYTES) {
        out.skipped.push({
          fileId,
          reason: info.downloadable === false ? "not downloadable" : `${size} bytes is over what is left of ${MAX_AGENT_FILE_BYTES}`,
        });
        continue;
      }
      const content = await api.fetch(`${base}/v1/files/${encodeURIComponent(fileId)}/content`, { headers });
      if (!content.ok) {
        out.skipped.push({ fileId, reason: `content: HTTP ${content.status}` });
        continue;
      }
      const bytes = new Uint8Array(await content.arrayBuffer());
      // The size is checked again on the bytes themselves: the metadata is only a promise.
      if (bytes.length < 1 || used + bytes.length > MAX_AGENT_FILE_BYTES) {
        out.skipped.push({ fileId, reason: `${bytes.length} bytes is over what is left of ${MAX_AGENT_FILE_BYTES}` });
        continue;
      }
      used += bytes.length;
      out.files.push({ name: safeFileName(info.filename ?? fileId), mediaType: sniffMediaType(bytes), size: bytes.length, data: toBase64(bytes) });
    } catch (err) {
      out.skipped.push({ fileId, reason: `network: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return out;
}
