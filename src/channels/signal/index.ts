/** Signal through the bridge, via signal-cli's JSON-RPC interface (a daemon it connects to, or one it spawns). */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";

export const signalConfigSchema = z.object({
  bridgeId: bridgeIdField,
  /** The registered (or linked) account, in E.164 form. */
  account: z.string().regex(/^\+[1-9]\d{6,14}$/, "account must be a phone number in E.164 form, e.g. +15551234567"),
  /** host:port of a running `signal-cli -a <account> daemon --tcp`; when absent the bridge spawns `signal-cli jsonRpc`. */
  daemon: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, "daemon must be host:port")
    .optional(),
  /** signal-cli executable the bridge spawns when no daemon is given. */
  cliPath: z.string().min(1).max(500).default("signal-cli"),
});
export type SignalConfig = z.infer<typeof signalConfigSchema>;

export const signalAdapter = createBridgedAdapter<SignalConfig>({
  type: "signal",
  description: "Signal (via the bridge and signal-cli): direct messages, and groups when the bot is mentioned",
  configSchema: signalConfigSchema as z.ZodType<SignalConfig>,
  secretFields: [],
  maxMessageLength: 2000,
  setupSteps: ["Register or link the account with signal-cli first (`signal-cli -a <account> register` / `link`); the bridge reports needs_login until then."],
});

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [signalAdapter];
