/**
 * Files the agent sends in direct mode (docs/media.md): files the code-execution server tool
 * created during the turn are named by id in its result blocks (`bash_code_execution_output`,
 * or `code_execution_output` for the older tool version); they are downloaded with the Files
 * API (beta `files-api-2025-04-14`) and sent after the answer like a container's files. Bounded
 * like them (MAX_AGENT_FILES, MAX_AGENT_FILE_BYTES); the type is sniffed from the bytes.
 */
import type { ContentBlock } from "@anthropic-ai/sdk/resources/messages";
import { type AgentFile, MAX_AGENT_FILE_BYTES, MAX_AGENT_FILES, toBase64 } from "../lib/agent-files";
import { safeFileName, sniffMediaType } from "../lib/sniff-media-type";

const FILES_BETA = "files-api-2025-04-14";
const API_VERSION = "2023-06-01";

/** The ids of files code execution created in these blocks, in order, each once. */
export function createdFileIds(content: readonly ContentBlock[]): string[] {
  const ids: string[] = [];
  for (const block of content) {
    if (block.type !== "bash_code_execution_tool_result" && block.type !== "code_execution_tool_result") continue;
    const result = block.content as { content?: unknown };
    const outputs = Array.isArray(result.content) ? (result.content as { file_id?: unknown }[]) : [];
    for (const o of outputs) if (typeof o.file_id === "string" && !ids.includes(o.file_id)) ids.push(o.file_id);
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

/** Downloads the created files within the turn's limits; a file that cannot be had is skipped, never fatal. */
export async function downloadCreatedFiles(api: FilesApi, fileIds: readonly string[]): Promise<DownloadedFiles> {
  const out: DownloadedFiles = { files: [], skipped: [] };
  const base = (api.baseURL ?? "https://api.anthropic.com").replace(/\/$/, "");
  const headers = { "x-api-key": api.apiKey, "anthropic-version": API_VERSION, "anthropic-beta": FILES_BETA };
  let used = 0;
  for (const fileId of fileIds) {
    if (out.files.length >= MAX_AGENT_FILES) {
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
