/**
 * WhatsApp Cloud API webhooks (stage 1): the `X-Hub-Signature-256` check and the
 * normalisation of a `whatsapp_business_account` notification into InboundMessages. Status
 * updates (sent, delivered, read, failed) carry nothing to answer and are only logged.
 */
import * as z from "zod";
import { verifyHmacSha256Hex } from "../../crypto/hmac";
import type { Attachment, InboundMessage } from "../shared/types";

export const SIGNATURE_HEADER = "x-hub-signature-256";

/** Meta signs the raw body: `sha256=` + hex HMAC-SHA256 keyed with the app secret. */
export async function checkHubSignature(appSecret: string, header: string | null, rawBody: string): Promise<{ ok: true } | { ok: false; error: string }> {
  if (!header) return { ok: false, error: "missing X-Hub-Signature-256 header" };
  if (!/^sha256=[0-9a-f]{64}$/i.test(header)) return { ok: false, error: "X-Hub-Signature-256 must be sha256=<hex>" };
  const valid = await verifyHmacSha256Hex(appSecret, rawBody, header.slice("sha256=".length));
  return valid ? { ok: true } : { ok: false, error: "X-Hub-Signature-256 does not match" };
}

/** A media object of a message: `id` is the media id the Graph API turns into a download URL. */
const media = z.object({
  id: z.string().optional(),
  caption: z.string().optional(),
  mime_type: z.string().optional(),
  filename: z.string().optional(),
  /** Audio only: recorded in WhatsApp as a voice message. */
  voice: z.boolean().optional(),
});
const message = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  image: media.optional(),
  video: media.optional(),
  document: media.optional(),
  audio: media.optional(),
  sticker: media.optional(),
  button: z.object({ text: z.string() }).optional(),
  interactive: z.object({ button_reply: z.object({ title: z.string() }).optional(), list_reply: z.object({ title: z.string() }).optional() }).optional(),
});
const status = z.object({
  id: z.string(),
  status: z.string(),
  recipient_id: z.string().optional(),
  errors: z.array(z.object({ code: z.number(), title: z.string().optional() })).optional(),
});
const value = z.object({
  messaging_product: z.literal("whatsapp"),
  metadata: z.object({ phone_number_id: z.string() }),
  contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string() }).optional() })).optional(),
  messages: z.array(message).optional(),
  statuses: z.array(status).optional(),
});
export const notificationSchema = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(z.object({ id: z.string(), changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })),
});
export type Notification = z.infer<typeof notificationSchema>;
type WaMessage = z.infer<typeof message>;

/** `whatsapp-media:<media id>`: how a file is referred to until the adapter downloads it (index.ts fetchAttachment). */
export const WHATSAPP_MEDIA_SCHEME = "whatsapp-media:";

const MEDIA_TYPES = ["image", "video", "document", "audio", "sticker"] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const isMedia = (type: string): type is MediaType => (MEDIA_TYPES as readonly string[]).includes(type);

/** A media message's attachment and its marker in the text (`[photo]`, `[voice message]`, ...). */
function mediaOf(m: WaMessage): { note: string; attachment: Attachment } | null {
  if (!isMedia(m.type)) return null;
  const part = m[m.type];
  if (!part) return null;
  const type = part.mime_type ?? (m.type === "image" || m.type === "sticker" ? "image/jpeg" : "application/octet-stream");
  const voice = m.type === "audio" && part.voice === true;
  const note = {
    image: "[photo]",
    video: "[video]",
    document: `[document: ${part.filename ?? "unnamed"}]`,
    audio: voice ? "[voice message]" : "[audio]",
    sticker: "[sticker]",
  }[m.type];
  return {
    note,
    attachment: {
      type,
      ...(part.id ? { url: `${WHATSAPP_MEDIA_SCHEME}${part.id}` } : {}),
      ...(part.filename ? { name: part.filename } : {}),
      ...(voice ? { voice: true } : {}),
    },
  };
}

/** The text a user sent: message text, a media caption, or the title of a tapped button. */
function textOf(m: WaMessage): string | null {
  if (m.type === "text") return m.text?.body ?? null;
  if (isMedia(m.type)) return m[m.type]?.caption ?? "";
  if (m.type === "button") return m.button?.text ?? null;
  if (m.type === "interactive") return m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? null;
  return null;
}

export interface Normalised {
  messages: Omit<InboundMessage, "receivedAt">[];
  /** Why parts were skipped (other numbers, unsupported types, status updates). */
  skipped: string[];
}

/** Messages for this channel's number; another number's events on the same app are skipped. */
export function normaliseNotification(n: Notification, phoneNumberId: string): Normalised {
  const out: Normalised = { messages: [], skipped: [] };
  for (const entry of n.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") {
        out.skipped.push(`field ${change.field}`);
        continue;
      }
      const parsed = value.safeParse(change.value);
      if (!parsed.success) {
        out.skipped.push("malformed messages change");
        continue;
      }
      const v = parsed.data;
      if (v.metadata.phone_number_id !== phoneNumberId) {
        out.skipped.push(`phone number ${v.metadata.phone_number_id}`);
        continue;
      }
      for (const s of v.statuses ?? [])
        out.skipped.push(`status ${s.status}${s.errors?.length ? ` (error ${s.errors.map((e) => `${e.code} ${e.title ?? ""}`.trim()).join(", ")})` : ""}`);
      for (const m of v.messages ?? []) {
        const text = textOf(m);
        if (text === null) {
          out.skipped.push(`message type ${m.type}`);
          continue;
        }
        const file = mediaOf(m);
        out.messages.push({
          senderId: m.from,
          senderName: v.contacts?.find((c) => c.wa_id === m.from)?.profile?.name,
          platformMessageId: m.id,
          text: [text, file?.note].filter(Boolean).join("\n"),
          attachments: file ? [file.attachment] : undefined,
          // The 24-hour window runs from the user's last message; the reply checks it.
          replyContext: { lastInboundAt: String(Number(m.timestamp) * 1000) },
        });
      }
    }
  }
  return out;
}
