/**
 * Hands a message's files to the gateway before the message itself (POST /bridge/media with the
 * bridge's token, the bytes as the body, the type as Content-Type; src/api/bridge-media.ts), and
 * puts the `bridge-media:` reference it answers into the attachment's `url`. A refusal the
 * gateway will repeat (over the limit, a type it does not read) leaves the attachment described
 * with its declared size, so the turn gives the sender the clear refusal; a network error, a
 * 5xx or a 429 keeps the whole message in the outbox to try again (bridge.ts).
 */
import type { BridgeInboundMessage } from "../../src/protocol/bridge";
import type { OutboxEntry } from "./inbound-outbox";

export type UploadOutcome = { ok: true; reference: string } | { ok: false; retryable: boolean; error: string };

export async function uploadFile(o: { url: string; token: string; channelId: string; type: string; bytes: Uint8Array }): Promise<UploadOutcome> {
  const target = `${o.url.replace(/\/$/, "")}/bridge/media?channelId=${encodeURIComponent(o.channelId)}`;
  let res: Response;
  try {
    res = await fetch(target, {
      method: "POST",
      headers: { authorization: `Bearer ${o.token}`, "content-type": o.type, "content-length": String(o.bytes.byteLength) },
      // A copy typed on a plain ArrayBuffer, as fetch takes it.
      body: o.bytes.slice(),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (err) {
    return { ok: false, retryable: true, error: `gateway unreachable: ${err instanceof Error ? err.message : String(err)}` };
  }
  const body = (await res.json().catch(() => ({}))) as { reference?: unknown; error?: unknown };
  if (res.ok && typeof body.reference === "string") return { ok: true, reference: body.reference };
  const error = `HTTP ${res.status}${typeof body.error === "string" ? `: ${body.error}` : ""}`;
  // 401: a revoked token is the link's to report; kept, like any message the gateway cannot take yet.
  return { ok: false, retryable: res.status === 401 || res.status === 429 || res.status >= 500, error };
}

/**
 * Uploads every pending file of an entry. Returns the message with the references filled in,
 * or `retry` when one upload should be tried again later (nothing is sent then).
 */
export async function uploadEntryFiles(
  entry: OutboxEntry,
  o: { url: string; token: string; readFile: (index: number) => Uint8Array | null; warn: (msg: string, detail: Record<string, unknown>) => void },
): Promise<{ message: BridgeInboundMessage } | { retry: string }> {
  const attachments = [...(entry.message.attachments ?? [])];
  for (const file of entry.files ?? []) {
    const attachment = attachments[file.index];
    if (!attachment) continue;
    const bytes = o.readFile(file.index);
    if (!bytes) {
      o.warn("attachment bytes missing from the outbox; sent described only", { outboxId: entry.id, index: file.index });
      continue;
    }
    const outcome = await uploadFile({ url: o.url, token: o.token, channelId: entry.channelId, type: attachment.type, bytes });
    if (outcome.ok) attachments[file.index] = { ...attachment, url: outcome.reference, size: attachment.size ?? bytes.byteLength };
    else if (outcome.retryable) return { retry: outcome.error };
    else {
      o.warn("gateway refused the attachment; sent described only", { outboxId: entry.id, index: file.index, error: outcome.error });
      attachments[file.index] = { ...attachment, size: attachment.size ?? bytes.byteLength };
    }
  }
  return { message: { ...entry.message, attachments } };
}
