/**
 * Attachments of an inbound e-mail read over IMAP, as the agent can use them. The text of text
 * attachments (plain text, CSV, JSON, calendar...) is put into the message itself, capped, so it
 * reads the same whatever the model; pictures, PDFs and voice files the bridge hands to the
 * gateway (POST /bridge/media, docs/media.md) are listed with their bytes; anything else is
 * named, so the agent knows it was there and can say it did not see it.
 */
import type { Attachment as MailAttachment } from "postal-mime";

/** Text taken from one attachment; the rest is cut with a note. */
export const MAX_INLINE_ATTACHMENT_CHARS = 20_000;
/** Text taken from all attachments of one message. */
export const MAX_INLINE_TOTAL_CHARS = 50_000;

const TEXT_TYPES = /^(text\/|application\/(json|xml|csv|x-yaml|yaml|x-ndjson)$)/i;

export interface AgentAttachments {
  /** Paragraphs appended to the message text, one per attachment. */
  blocks: string[];
  /** Attachments that were not inlined, for the message's attachment list (images, PDFs, ...). */
  described: { type: string; name?: string; size: number }[];
  /** The bytes of each described attachment, in the same order. */
  contents: Uint8Array[];
}

/** Whether the bytes of a file of this type and size go to the gateway (the bridge's hand-over); it is then not called "not shown". */
export type HandsOver = (file: { type: string; size: number }) => boolean;

function decodeUtf8(content: MailAttachment["content"]): string | null {
  if (typeof content === "string") return content;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(content);
  } catch {
    // Not UTF-8 (or not text at all): better named than shown as mojibake.
    return null;
  }
}

export function attachmentsForAgent(attachments: readonly MailAttachment[], handsOver: HandsOver = () => false): AgentAttachments {
  const out: AgentAttachments = { blocks: [], described: [], contents: [] };
  let budget = MAX_INLINE_TOTAL_CHARS;
  for (const a of attachments) {
    // Pictures the HTML body shows inline (logos in signatures) are decoration, not content.
    if (a.related) continue;
    const name = a.filename ?? undefined;
    const label = name ? `${name} (${a.mimeType})` : a.mimeType;
    const text = TEXT_TYPES.test(a.mimeType) ? decodeUtf8(a.content) : null;
    if (text !== null && budget > 0) {
      const limit = Math.min(MAX_INLINE_ATTACHMENT_CHARS, budget);
      const kept = text.length > limit ? `${text.slice(0, limit)}\n[... cut: ${text.length - limit} more characters]` : text;
      budget -= Math.min(text.length, limit);
      out.blocks.push(`[attachment ${label}]\n${kept.trim()}`);
      continue;
    }
    const content = typeof a.content === "string" ? new TextEncoder().encode(a.content) : new Uint8Array(a.content);
    out.described.push({ type: a.mimeType, ...(name ? { name } : {}), size: content.byteLength });
    out.contents.push(content);
    // Images get their own note from the agent stage, and so does a file handed over; anything else would vanish silently.
    if (!a.mimeType.startsWith("image/") && !handsOver({ type: a.mimeType, size: content.byteLength })) out.blocks.push(`[attachment not shown: ${label}]`);
  }
  return out;
}
