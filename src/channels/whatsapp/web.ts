/**
 * WhatsApp Web through the bridge (Baileys): the bridge links to a phone as a WhatsApp Web
 * device by QR code and keeps the session on its disk. Direct chats are conversations per
 * contact; in groups the bot answers when it is mentioned. Unlike the Cloud API channel
 * (whatsapp.ts) it needs no Meta business account, and no 24-hour window applies.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import { WHATSAPP_MAX_TEXT } from "./format";

export const whatsappWebConfigSchema = z.object({
  bridgeId: bridgeIdField,
  groups: z
    .boolean()
    .default(true)
    .meta({ title: "Answer in groups" })
    .describe("On (default): in groups the bot answers when it is mentioned. Off: it answers direct chats only."),
});
export type WhatsAppWebConfig = z.infer<typeof whatsappWebConfigSchema>;

export const whatsappWebAdapter = createBridgedAdapter<WhatsAppWebConfig>({
  type: "whatsapp-web",
  description: "WhatsApp as a linked device (via the bridge and Baileys): direct chats, and groups when mentioned; log in by QR code",
  configSchema: whatsappWebConfigSchema as z.ZodType<WhatsAppWebConfig>,
  secretFields: [],
  maxMessageLength: WHATSAPP_MAX_TEXT,
  sendsFiles: true,
  bridgeMedia: true,
  setupSteps: [
    "The channel reports needs_login with a QR code (statusDetail in GET /api/channels/:id, shown by the dashboard): on the phone, WhatsApp → Settings → Linked devices → Link a device, and scan it.",
    "The session is kept in the bridge's data folder (channels/<id>/auth): keep it across restarts, and treat it like a password.",
  ],
});
