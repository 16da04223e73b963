/**
 * The bytes of a Matrix file message, fetched by the bridge (which holds the bot's access token
 * and, for encrypted rooms, the event's key) and then handed to the gateway like any bridge
 * channel's files (bridge/src/media-upload.ts). Plain media are downloaded from the
 * authenticated endpoint `GET /_matrix/client/v1/media/download/{serverName}/{mediaId}` (Matrix
 * 1.11; servers without it answer M_UNRECOGNIZED and the legacy `/_matrix/media/v3/download`
 * is used). Encrypted media (an `EncryptedFile`) are checked against the SHA-256 of the
 * ciphertext in the event before AES-256-CTR decrypts them, as the spec requires:
 * https://spec.matrix.org/v1.12/client-server-api/#sending-encrypted-attachments
 */
import type { MatrixEncryptedFile, MatrixMediaSource } from "../../../../src/channels/matrix/inbound";
import { readCapped } from "../../../../src/channels/shared/read-body";

export type MatrixMediaResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/** `mxc://<server-name>/<media-id>`: https://spec.matrix.org/v1.12/client-server-api/#matrix-content-mxc-uris */
const MXC = /^mxc:\/\/([A-Za-z0-9.\-[\]:]+)\/([A-Za-z0-9_-]+)$/;

export async function downloadMatrixMedia(o: {
  homeserverUrl: string;
  accessToken: string;
  source: MatrixMediaSource;
  maxBytes: number;
  fetch?: typeof fetch;
}): Promise<MatrixMediaResult> {
  const m = MXC.exec(o.source.mxc);
  if (!m) return { ok: false, error: "not an mxc:// URI" };
  const [, server, mediaId] = m as unknown as [string, string, string];
  const base = o.homeserverUrl.replace(/\/$/, "");
  const path = `${encodeURIComponent(server)}/${encodeURIComponent(mediaId)}`;
  const doFetch = o.fetch ?? fetch;
  const get = (url: string) => doFetch(url, { headers: { authorization: `Bearer ${o.accessToken}` }, signal: AbortSignal.timeout(120_000) });
  let res: Response;
  try {
    res = await get(`${base}/_matrix/client/v1/media/download/${path}`);
    if (res.status === 404 || res.status === 405) {
      const body = (await res.json().catch(() => ({}))) as { errcode?: string };
      if (body.errcode === "M_UNRECOGNIZED" || res.status === 405) res = await get(`${base}/_matrix/media/v3/download/${path}`);
      else return { ok: false, error: `the homeserver has no such file (HTTP 404 ${body.errcode ?? ""})`.trim() };
    }
  } catch (err) {
    return { ok: false, error: `homeserver unreachable: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    return { ok: false, error: `media download failed: HTTP ${res.status}` };
  }
  // Ciphertext is as long as the plaintext (CTR mode), so the same cap applies to both.
  if (Number(res.headers.get("content-length") ?? 0) > o.maxBytes) {
    await res.body.cancel();
    return { ok: false, error: "the file is over the limit" };
  }
  const bytes = await readCapped(res.body, o.maxBytes);
  if (!bytes) return { ok: false, error: "the file is over the limit" };
  return o.source.encrypted ? decryptAttachment(bytes, o.source.encrypted) : { ok: true, bytes };
}

/** Unpadded (or padded) base64 and base64url, as Matrix events carry them. */
function fromBase64(s: string): Uint8Array {
  const std = s.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(std + "=".repeat((4 - (std.length % 4)) % 4)), (ch) => ch.charCodeAt(0));
}

/** Checks the ciphertext's SHA-256, then decrypts with AES-256-CTR (a 64-bit counter, as the spec's clients use). */
export async function decryptAttachment(ciphertext: Uint8Array, file: MatrixEncryptedFile): Promise<MatrixMediaResult> {
  if (file.v !== "v2") return { ok: false, error: `unsupported encrypted attachment version ${String(file.v)}` };
  const { key } = file;
  if (key.alg !== "A256CTR" || key.kty !== "oct" || typeof key.k !== "string") return { ok: false, error: "unsupported attachment key (need A256CTR)" };
  if (!Array.isArray(key.key_ops) || !key.key_ops.includes("decrypt")) return { ok: false, error: "the attachment key does not allow decrypt" };
  const expected = file.hashes.sha256;
  if (typeof expected !== "string") return { ok: false, error: "the event carries no SHA-256 of the file" };
  let raw: Uint8Array;
  let iv: Uint8Array;
  let want: Uint8Array;
  try {
    raw = fromBase64(key.k);
    iv = fromBase64(file.iv);
    want = fromBase64(expected);
  } catch {
    return { ok: false, error: "malformed key, IV or hash" };
  }
  if (raw.length !== 32 || iv.length !== 16 || want.length !== 32) return { ok: false, error: "malformed key, IV or hash" };
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", ciphertext.slice()));
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= digest[i]! ^ want[i]!;
  if (diff !== 0) return { ok: false, error: "the file does not match the SHA-256 in the event" };
  const aes = await crypto.subtle.importKey("raw", raw.slice(), { name: "AES-CTR" }, false, ["decrypt"]);
  const plain = await crypto.subtle.decrypt({ name: "AES-CTR", counter: iv.slice(), length: 64 }, aes, ciphertext.slice());
  return { ok: true, bytes: new Uint8Array(plain) };
}

/** What a client does to send one (used by the tests, and by nothing else). */
export async function encryptAttachment(plain: Uint8Array, url: string): Promise<{ ciphertext: Uint8Array; file: MatrixEncryptedFile }> {
  const rawKey = crypto.getRandomValues(new Uint8Array(32));
  const iv = new Uint8Array(16);
  iv.set(crypto.getRandomValues(new Uint8Array(8)));
  const aes = await crypto.subtle.importKey("raw", rawKey, { name: "AES-CTR" }, false, ["encrypt"]);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CTR", counter: iv, length: 64 }, aes, plain.slice()));
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/=+$/, "");
  const sha = new Uint8Array(await crypto.subtle.digest("SHA-256", ciphertext));
  return {
    ciphertext,
    file: {
      url,
      key: { kty: "oct", alg: "A256CTR", ext: true, key_ops: ["encrypt", "decrypt"], k: b64(rawKey).replace(/\+/g, "-").replace(/\//g, "_") },
      iv: b64(iv),
      hashes: { sha256: b64(sha) },
      v: "v2",
    },
  };
}
