/** Reads a webhook body with a size cap, so an oversized request is refused before it is buffered whole. */

export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export type BodyResult = { ok: true; raw: string } | { ok: false; status: 413; error: string };

export async function readBody(request: Request, maxBytes = MAX_WEBHOOK_BODY_BYTES): Promise<BodyResult> {
  const tooLarge = { ok: false, status: 413, error: `body exceeds ${maxBytes} bytes` } as const;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;
  if (!request.body) return { ok: true, raw: "" };
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return tooLarge;
    }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.byteLength;
  }
  return { ok: true, raw: new TextDecoder().decode(all) };
}

/** Parses JSON, returning a readable error instead of throwing. */
export function parseJson(raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (err) {
    return { ok: false, error: `body is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}
