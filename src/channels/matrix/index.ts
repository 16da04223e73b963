/**
 * Matrix through the bridge: the bridge logs in to any homeserver with the bot's access token,
 * syncs, joins rooms it is invited to by allowed users, and answers direct messages and
 * mentions (inbound.ts), in the thread of the message answered (outbound.ts). End-to-end
 * encrypted rooms work with matrix-js-sdk's Rust crypto, whose keys the bridge keeps in its
 * data folder. The access token and the crypto store passphrase are sealed secrets.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";

/** Not the protocol's limit (an event is at most 65,536 bytes) but what fits once HTML and encryption are added. */
export const MATRIX_MAX_MESSAGE_LENGTH = 16_000;

/** `@localpart:server.name`: https://spec.matrix.org/v1.12/appendices/#user-identifiers */
export const MATRIX_USER_ID = /^@[^\s:]{1,255}:[A-Za-z0-9.\-[\]:]{1,255}$/;
/** A server name (`example.org`, `matrix.example.org:8448`). */
const SERVER_NAME = /^[A-Za-z0-9.\-[\]]{1,255}(:\d{1,5})?$/;

const inviter = z
  .string()
  .trim()
  .transform((v) => v.replace(/^:/, ""))
  .refine((v) => MATRIX_USER_ID.test(v) || SERVER_NAME.test(v), "an inviter is a user id (@alice:example.org) or a server name (example.org)");

export const matrixConfigSchema = z.object({
  bridgeId: bridgeIdField.describe("The bridge that holds the connection to the homeserver (GET /api/bridges).").meta({ title: "Bridge" }),
  homeserverUrl: z
    .url({ protocol: /^https?$/, error: "homeserverUrl must be the homeserver's https:// URL" })
    .describe("The client-server API base of the bot's homeserver, e.g. https://matrix.example.org (what Element shows under Help & About → Homeserver).")
    .meta({ title: "Homeserver URL" }),
  userId: z
    .string()
    .trim()
    .regex(MATRIX_USER_ID, "userId is the bot's full Matrix id, e.g. @loopbot:example.org")
    .describe("The bot account's Matrix id, e.g. @loopbot:example.org.")
    .meta({ title: "Bot user id" }),
  deviceId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_\-.=+/]{1,100}$/, "deviceId is the device id returned with the access token (letters and digits)")
    .describe(
      "The device id that came with the access token (the login response's device_id). Encryption keys belong to this device; keep it for the bot's life.",
    )
    .meta({ title: "Device id" }),
  accessToken: z
    .string()
    .trim()
    .min(8, "accessToken is the bot's access token (syt_… on Synapse)")
    .describe("The bot's access token from its login (never a person's). Sealed at rest, never shown again.")
    .meta({ title: "Access token" }),
  cryptoStorePassphrase: z
    .string()
    .min(12, "at least 12 characters")
    .optional()
    .describe(
      "Encrypts the bot's end-to-end encryption keys in the bridge's data folder. Optional; once set, keep it: the keys cannot be opened without it. Sealed at rest.",
    )
    .meta({ title: "Key store passphrase" }),
  inviters: z
    .array(inviter)
    .max(100)
    .optional()
    .describe(
      "Whose invitations the bot accepts: user ids (@alice:example.org) or whole servers (example.org). Others are declined. Unset: users of the bot's own server.",
    )
    .meta({ title: "Accept invitations from" }),
});
export type MatrixConfig = z.infer<typeof matrixConfigSchema>;

export const matrixAdapter = createBridgedAdapter<MatrixConfig>({
  type: "matrix",
  description: "Matrix (via the bridge): direct messages and mentions in rooms, threads kept, end-to-end encrypted rooms included",
  configSchema: matrixConfigSchema,
  secretFields: ["accessToken", "cryptoStorePassphrase"],
  endpointFields: ["homeserverUrl"],
  maxMessageLength: MATRIX_MAX_MESSAGE_LENGTH,
  sendsFiles: true,
  bridgeMedia: true,
  // The bridge paces the homeserver itself (bridge/src/live-replies.ts); this only spares the socket.
  streams: { minIntervalMs: 500 },
  setupSteps: [
    "Register an account for the bot on the homeserver and log it in once (POST /_matrix/client/v3/login) to get its access token and device id; paste both with its user id.",
    "Invite the bot to a room or start a direct message with it from an allowed account: it joins by itself, answers every direct message and, in rooms, messages that mention it, in a thread.",
    "Encrypted rooms need nothing more: the bridge keeps the bot's encryption keys in its data folder; keep that folder (and the device id) across restarts.",
  ],
});

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [matrixAdapter];
