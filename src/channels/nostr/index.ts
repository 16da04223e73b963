/**
 * Nostr private messages through the bridge: the bridge holds WebSockets to the configured
 * relays (NIP-01), receives NIP-17 gift-wrapped messages and legacy NIP-04 ones addressed to
 * the bot's key (inbound.ts), and answers in the same protocol (outbound.ts), NIP-17 replies to
 * the recipient's kind-10050 relays. The bot's secret key is a sealed secret like any token.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import { parseSecretKey } from "./keys";

/** Not a platform limit (events may be large) but what relays commonly accept comfortably. */
export const NOSTR_MAX_MESSAGE_LENGTH = 8000;
export const MAX_RELAYS = 10;

const relayUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "wss:" || u.protocol === "ws:";
    } catch {
      return false;
    }
  }, "a relay is a wss:// (or ws://) URL");

export const nostrConfigSchema = z.object({
  bridgeId: bridgeIdField.describe("The bridge that holds the relay connections (GET /api/bridges).").meta({ title: "Bridge" }),
  secretKey: z
    .string()
    .refine((v) => parseSecretKey(v) !== null, "secretKey must be the bot's nsec1… key or its 64 hex characters")
    .describe("The bot's secret key, nsec1… or 64 hex characters. Give the bot its own key, not a person's. Sealed at rest, never shown again.")
    .meta({ title: "Bot secret key" }),
  relays: z
    .array(relayUrl)
    .min(1, "at least one relay")
    .max(MAX_RELAYS, `at most ${MAX_RELAYS} relays`)
    .describe("Relays the bot reads its messages from and publishes to, e.g. wss://relay.damus.io. The bridge publishes them as the bot's kind-10050 list.")
    .meta({ title: "Relays" }),
  legacyDirectMessages: z
    .boolean()
    .optional()
    .describe("Also accept and answer NIP-04 direct messages (kind 4, older clients). On unless set to false; NIP-17 is always on.")
    .meta({ title: "Accept NIP-04 messages" }),
});
export type NostrConfig = z.infer<typeof nostrConfigSchema>;

export const nostrAdapter = createBridgedAdapter<NostrConfig>({
  type: "nostr",
  description: "Nostr private messages (via the bridge): NIP-17 gift-wrapped DMs and legacy NIP-04, several relays",
  configSchema: nostrConfigSchema,
  secretFields: ["secretKey"],
  maxMessageLength: NOSTR_MAX_MESSAGE_LENGTH,
  setupSteps: [
    "Make a key for the bot in any Nostr client and paste its nsec as secretKey; people write to its npub (shown in the bridge's log when it connects).",
    "The bridge publishes the bot's kind-10050 relay list (NIP-17) with the configured relays when it connects, so clients know where to send it gift-wrapped messages.",
    "People then send a private message to the bot's npub from a NIP-17 client (or an older NIP-04 one).",
  ],
});

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [nostrAdapter];
