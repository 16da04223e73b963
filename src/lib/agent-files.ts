/**
 * Limits of files the agent sends (docs/media.md). A file travels from the container to the
 * bridge, in the turn's result over the bridge link (one WebSocket message, which Workers cap
 * at 1 MiB), into the sender's object's SQLite (one outbox row, capped at 2 MB): so the files of
 * one turn share a budget well under both, base64 included. The platforms' own limits are
 * larger (Telegram 10 MB photos / 50 MB documents, Discord 10 MB, Slack 1 GB).
 */
import * as z from "zod";

/** Files one turn may send. */
export const MAX_AGENT_FILES = 4;
/** Bytes of all files of one turn together (raw; base64 adds a third). */
export const MAX_AGENT_FILE_BYTES = 512 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A file as the turn result carries it. */
export const agentFile = z.object({
  /** A plain file name (safeFileName), for the person and the upload. */
  name: z.string().min(1).max(100),
  /** Sniffed by the bridge from the bytes; the gateway sniffs again before it uploads. */
  mediaType: z.string().min(1).max(100),
  size: z.number().int().min(1).max(MAX_AGENT_FILE_BYTES),
  /** The bytes, base64. */
  data: z
    .string()
    .max(Math.ceil(MAX_AGENT_FILE_BYTES / 3) * 4)
    .regex(BASE64),
});
export type AgentFile = z.infer<typeof agentFile>;

export const agentFiles = z
  .array(agentFile)
  .max(MAX_AGENT_FILES)
  .refine((files) => files.reduce((sum, f) => sum + f.size, 0) <= MAX_AGENT_FILE_BYTES, `files over ${MAX_AGENT_FILE_BYTES} bytes together`);

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(data: string): Uint8Array<ArrayBuffer> {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The line a person gets for a file their channel cannot carry, or one that could not be attached. */
export function fileNotAttachedText(name: string, size: number): string {
  return `(The assistant made a file for you, ${name} (${formatBytes(size)}), but it could not be attached on this channel.)`;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
