/**
 * One file download for an adapter's `fetchAttachment`: the platform's authenticated media URL
 * fetched with the headers it requires, refused from its Content-Length before the body is read
 * when it is over the cap, and read with the cap otherwise. Errors name the platform and the
 * HTTP status, never the URL or the headers (they may carry a token).
 */
import { readCapped } from "./read-body";
import type { FetchedAttachment } from "./types";
import { humanSize } from "./media-limits";

export async function downloadCapped(o: {
  fetch: typeof fetch;
  url: string;
  headers?: Record<string, string>;
  maxBytes: number;
  /** `Slack`, `WhatsApp`: how errors name the service. */
  platform: string;
  /** The type to report when the response has none. */
  fallbackType: string;
}): Promise<FetchedAttachment> {
  let res: Response;
  try {
    res = await o.fetch(o.url, { headers: o.headers ?? {}, redirect: "follow" });
  } catch {
    return { ok: false, reason: "unavailable", error: `network error downloading the file from ${o.platform}` };
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    return { ok: false, reason: "unavailable", error: `${o.platform} file download failed: HTTP ${res.status}` };
  }
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > o.maxBytes) {
    await res.body.cancel();
    return { ok: false, reason: "too_large", size: declared, error: `the file is ${humanSize(declared)}, over the ${humanSize(o.maxBytes)} limit` };
  }
  const bytes = await readCapped(res.body, o.maxBytes);
  if (!bytes) return { ok: false, reason: "too_large", error: `the file is over the ${humanSize(o.maxBytes)} limit` };
  const type = res.headers.get("content-type")?.split(";")[0]?.trim();
  return { ok: true, bytes, mediaType: type && type !== "application/octet-stream" ? type : o.fallbackType };
}
