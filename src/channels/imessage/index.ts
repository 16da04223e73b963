/**
 * iMessage through the bridge on a signed-in Mac and the BlueBubbles server running there
 * (https://bluebubbles.app, maintained, REST API on the Mac). Only a Mac signed in to
 * Messages can send iMessages, so the bridge must run on that Mac; elsewhere its runtime
 * refuses with the reason. The bridge reads new messages through BlueBubbles' message query
 * (a cursor on disk, so nothing is lost across restarts), hands the files the model reads to
 * the gateway (POST /bridge/media), and answers with its text endpoint.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import { IMESSAGE_MAX_MESSAGE_LENGTH } from "./bluebubbles";

export const imessageConfigSchema = z.object({
  bridgeId: bridgeIdField.describe("The bridge running on the signed-in Mac, next to the BlueBubbles server (brg_..., see Bridges).").meta({ title: "Bridge" }),
  serverUrl: z
    .url({ protocol: /^https?$/, error: "serverUrl must be the BlueBubbles server's http(s) URL" })
    .default("http://127.0.0.1:1234")
    .describe("The BlueBubbles server's URL as seen from the bridge; default http://127.0.0.1:1234 (same Mac, BlueBubbles' default port).")
    .meta({ title: "BlueBubbles server URL" }),
  password: z
    .string()
    .min(1, "password is the BlueBubbles server password")
    .describe("The BlueBubbles server password (BlueBubbles → Settings → Server Password); sent on every API call.")
    .meta({ title: "BlueBubbles password" }),
  groups: z
    .boolean()
    .optional()
    .describe("Also answer every message in group chats; by default only one-to-one chats are answered.")
    .meta({ title: "Answer group chats" }),
});
export type IMessageConfig = z.infer<typeof imessageConfigSchema>;

export const imessageAdapter = createBridgedAdapter<IMessageConfig>({
  type: "imessage",
  description: "iMessage through BlueBubbles on a signed-in Mac (via a bridge on that Mac): one-to-one chats, optionally groups",
  configSchema: imessageConfigSchema,
  secretFields: ["password"],
  endpointFields: ["serverUrl"],
  maxMessageLength: IMESSAGE_MAX_MESSAGE_LENGTH,
  // Pictures, PDFs and voice messages are downloaded from BlueBubbles by the bridge and handed over.
  bridgeMedia: true,
  setupSteps: [
    "On a Mac signed in to Messages with the Apple ID the assistant should use: install the BlueBubbles server (bluebubbles.app/install), grant it Full Disk Access and Automation for Messages, and set a server password.",
    "Run the bridge on that same Mac (npm run bridge); a bridge on Linux or Windows reports this channel as failed, since only macOS can send iMessages.",
    "Send the Mac's Apple ID an iMessage from another account to test; each sender is paired or allowlisted like any channel.",
  ],
});

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [imessageAdapter];
