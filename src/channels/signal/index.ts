/**
 * Signal through the bridge, via signal-cli's JSON-RPC interface (a daemon it connects to, or one
 * it spawns). Which executable it spawns is the bridge's setting (SIGNAL_CLI_PATH), not this config.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";

export const signalConfigSchema = z.object({
  bridgeId: bridgeIdField,
  account: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, "account must be a phone number in E.164 form, e.g. +15551234567")
    .meta({ title: "Phone number" })
    .describe(
      "The bot's Signal number in international form, e.g. +15551234567: registered with signal-cli (signal-cli -a <number> register) or linked to a phone (signal-cli link).",
    ),
  daemon: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, "daemon must be host:port")
    .optional()
    .meta({ title: "signal-cli daemon" })
    .describe("Optional: host:port of an already running signal-cli -a <number> daemon --tcp. Empty: the bridge starts signal-cli jsonRpc itself."),
});
export type SignalConfig = z.infer<typeof signalConfigSchema>;

export const signalAdapter = createBridgedAdapter<SignalConfig>({
  type: "signal",
  description: "Signal (via the bridge and signal-cli): direct messages, and groups when the bot is mentioned",
  configSchema: signalConfigSchema as z.ZodType<SignalConfig>,
  secretFields: [],
  maxMessageLength: 2000,
  sendsFiles: true,
  bridgeMedia: true,
  setupSteps: ["Register or link the account with signal-cli first (`signal-cli -a <account> register` / `link`); the bridge reports needs_login until then."],
});

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [signalAdapter];
