/**
 * The bytes of a WhatsApp Web file message. WhatsApp media are end-to-end encrypted: only the
 * linked device can decrypt them, with the media key in the message, so the bridge downloads
 * and decrypts them through Baileys (`downloadMediaMessage`, which also asks the phone to
 * re-upload media the server no longer has) and hands them to the gateway like any bridge
 * channel's files (bridge/src/media-upload.ts). Only files the model reads and within the
 * limits are fetched, and the stream is cut as soon as it passes the limit.
 */
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";
import type { InboundFile } from "../../inbound-outbox";
import { wantedBytes } from "../shared/media";

/** Opens the decrypted media stream of a message (Baileys' downloadMediaMessage in "stream" mode). */
export type MediaStreamOpener = () => Promise<AsyncIterable<Uint8Array> & { destroy?: () => void }>;

export type WebMediaResult = { ok: true; files: InboundFile[] } | { ok: false; error: string };

export async function readWhatsAppMedia(message: BridgeInboundMessage, open: MediaStreamOpener): Promise<WebMediaResult> {
  const attachment = message.attachments?.[0];
  const maxBytes = attachment ? wantedBytes(attachment) : null;
  if (maxBytes === null) return { ok: true, files: [] };
  let stream: Awaited<ReturnType<MediaStreamOpener>>;
  try {
    stream = await open();
  } catch (err) {
    return { ok: false, error: `download failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        stream.destroy?.();
        return { ok: false, error: "the file is over the limit" };
      }
      parts.push(chunk);
    }
  } catch (err) {
    return { ok: false, error: `download failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.byteLength;
  }
  return { ok: true, files: [{ index: 0, bytes }] };
}
