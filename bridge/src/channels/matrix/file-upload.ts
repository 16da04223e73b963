/**
 * Files the agent sends, on Matrix (docs/media.md): the bytes go to the homeserver's media
 * repository (`POST /_matrix/media/v3/upload`, the bot's access token), then an `m.image` or
 * `m.file` event names the `mxc://` URI. In an encrypted room the file itself is encrypted first,
 * as the client-server spec's "Sending encrypted attachments" says (matrix-js-sdk leaves this
 * to the application): AES-256-CTR with a fresh key and a 128-bit IV whose low 64 bits (the
 * counter) start at zero, the key as a JWK, the ciphertext's SHA-256; the event then carries an
 * `EncryptedFile` in `file` instead of `url`, and the event itself is Megolm-encrypted by the SDK.
 */
import type { DeliveryOutcome, ReplyFileBytes } from "../shared/types";

/** The spec's EncryptedFile (client-server API, "Sending encrypted attachments"). */
export interface EncryptedFile {
  url: string;
  key: { kty: "oct"; key_ops: ["encrypt", "decrypt"]; alg: "A256CTR"; k: string; ext: true };
  iv: string;
  hashes: { sha256: string };
  v: "v2";
}

const unpadded = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");

/** Encrypts an attachment; the EncryptedFile still needs the `url` its ciphertext is uploaded to. */
export async function encryptAttachment(plain: Uint8Array<ArrayBuffer>): Promise<{ ciphertext: Uint8Array<ArrayBuffer>; info: Omit<EncryptedFile, "url"> }> {
  const key = await crypto.subtle.generateKey({ name: "AES-CTR", length: 256 }, true, ["encrypt", "decrypt"]);
  const iv = new Uint8Array(16);
  // Random high 64 bits; the low 64 bits are the block counter and start at zero.
  crypto.getRandomValues(iv.subarray(0, 8));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CTR", counter: iv, length: 64 }, key, plain));
  const jwk = await crypto.subtle.exportKey("jwk", key);
  const sha256 = new Uint8Array(await crypto.subtle.digest("SHA-256", ciphertext));
  return {
    ciphertext,
    info: {
      key: { kty: "oct", key_ops: ["encrypt", "decrypt"], alg: "A256CTR", k: jwk.k ?? "", ext: true },
      iv: unpadded(iv),
      hashes: { sha256: unpadded(sha256) },
      v: "v2",
    },
  };
}

export type UploadResult = { ok: true; contentUri: string } | (DeliveryOutcome & { ok: false });

/** `POST /_matrix/media/v3/upload?filename=`: the bytes as the body, their type as Content-Type. */
export async function uploadMedia(
  target: { homeserverUrl: string; accessToken: string },
  body: Uint8Array<ArrayBuffer>,
  contentType: string,
  filename: string,
  fetchFn: typeof fetch = globalThis.fetch,
): Promise<UploadResult> {
  const url = `${target.homeserverUrl.replace(/\/$/, "")}/_matrix/media/v3/upload?filename=${encodeURIComponent(filename)}`;
  let res: Response;
  try {
    res = await fetchFn(url, { method: "POST", headers: { authorization: `Bearer ${target.accessToken}`, "content-type": contentType }, body });
  } catch (err) {
    return { ok: false, retryable: true, error: `homeserver unreachable for the upload: ${err instanceof Error ? err.message : String(err)}` };
  }
  const answer = (await res.json().catch(() => null)) as { content_uri?: string; errcode?: string; error?: string } | null;
  if (res.ok && answer?.content_uri?.startsWith("mxc://")) return { ok: true, contentUri: answer.content_uri };
  const error = `media upload failed: ${res.status} ${answer?.errcode ?? ""} ${answer?.error ?? ""}`.trim();
  // M_TOO_LARGE (413) and the like are final; rate limits and server errors are retried.
  return { ok: false, retryable: res.status === 429 || res.status >= 500, error };
}

/** Types Matrix clients show inline as `m.image`; anything else is an `m.file`. */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** The `m.image` / `m.file` content naming the uploaded file (`url`, or `file` in an encrypted room). */
export function fileEventContent(file: ReplyFileBytes, where: { url: string } | { file: EncryptedFile }, relatesTo?: unknown): Record<string, unknown> {
  return {
    msgtype: IMAGE_TYPES.has(file.mediaType) ? "m.image" : "m.file",
    body: file.name,
    filename: file.name,
    info: { mimetype: file.mediaType, size: file.bytes.byteLength },
    ...where,
    "m.mentions": {},
    ...(relatesTo ? { "m.relates_to": relatesTo } : {}),
  };
}
