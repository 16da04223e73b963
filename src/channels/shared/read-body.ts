/** Reads a webhook body (or any stream) with a size cap, so an oversized one is refused before it is buffered whole. */

export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export type BodyResult = { ok: true; raw: string } | { ok: false; status: 413; error: string };

export async function readBody(request: Request, maxBytes = MAX_WEBHOOK_BODY_BYTES): Promise<BodyResult> {
  const tooLarge = { ok: false, status: 413, error: `body exceeds ${maxBytes} bytes` } as const;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;
  if (!request.body) return { ok: true, raw: "" };
  const bytes = await readCapped(request.body, maxBytes);
  return bytes ? { ok: true, raw: new TextDecoder().decode(bytes) } : tooLarge;
}

/**
 * Reads at most `maxBytes` of a stream; null as soon as it is longer, cancelling the rest so it
 * is never downloaded or buffered. Shared by webhook bodies and platform file downloads.
 */
export async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | null> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/** Parses JSON, returning a readable error instead of throwing. */
export function parseJson(raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (err) {
    return { ok: false, error: `body is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}
