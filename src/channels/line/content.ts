/**
 * Downloads an image a LINE user sent (stage 4, for the agent to see): `GET
 * /v2/bot/message/{id}/content` on the data host with the channel access token, capped in size.
 * https://developers.line.biz/en/reference/messaging-api/#get-content
 */
import { readCapped } from "../shared/read-body";
import { type LineClient, lineContent } from "./api";
import type { FetchedAttachment } from "../shared/types";

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export async function fetchLineContent(client: LineClient, messageId: string, fallbackType: string, maxBytes: number): Promise<FetchedAttachment> {
  let res: Response;
  try {
    res = await lineContent(client, messageId);
  } catch {
    return { ok: false, reason: "unavailable", error: "network error downloading the content from LINE" };
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    // 404: LINE keeps content for a limited time; 202: a video or audio still being prepared.
    return { ok: false, reason: "unavailable", error: `LINE content download failed: HTTP ${res.status}` };
  }
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body.cancel();
    return { ok: false, reason: "too_large", error: `the content is ${megabytes(declared)}, over the ${megabytes(maxBytes)} limit` };
  }
  const bytes = await readCapped(res.body, maxBytes);
  if (!bytes) return { ok: false, reason: "too_large", error: `the content is over the ${megabytes(maxBytes)} limit` };
  const mediaType = (res.headers.get("content-type") ?? fallbackType).split(";")[0]?.trim() || fallbackType;
  return { ok: true, bytes, mediaType };
}
