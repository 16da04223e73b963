/** IRC through the bridge (irc-framework): PMs are conversations per nick; in channels the bot answers when addressed. */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";

const ircChannelName = z.string().regex(/^[#&+!][^\s,\x07]{1,49}$/, "IRC channels start with # (or &, +, !) and contain no spaces or commas");

export const ircConfigSchema = z.object({
  bridgeId: bridgeIdField,
  host: z.string().min(1).max(255),
  /** Default 6697 with TLS, 6667 without. */
  port: z.number().int().min(1).max(65535).optional(),
  tls: z.boolean().default(true),
  nick: z.string().regex(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/, "not a valid IRC nick"),
  username: z.string().min(1).max(30).optional(),
  realname: z.string().min(1).max(100).optional(),
  /** Server password (PASS). */
  password: z.string().min(1).max(200).optional(),
  /** SASL PLAIN account and password. */
  saslAccount: z.string().min(1).max(100).optional(),
  saslPassword: z.string().min(1).max(200).optional(),
  /** Sent to NickServ as IDENTIFY after registration, for networks without SASL. */
  nickservPassword: z.string().min(1).max(200).optional(),
  channels: z.array(ircChannelName).max(50).default([]),
  /** Flood protection: lines sent at once, then one line per interval. */
  floodBurst: z.number().int().min(1).max(20).default(4),
  floodIntervalMs: z.number().int().min(0).max(10_000).default(1000),
});
export type IrcConfig = z.infer<typeof ircConfigSchema>;

export const ircAdapter = createBridgedAdapter<IrcConfig>({
  type: "irc",
  description: "IRC (via the bridge): private messages per nick, channel messages when addressed by nick",
  configSchema: ircConfigSchema as z.ZodType<IrcConfig>,
  secretFields: ["password", "saslPassword", "nickservPassword"],
  // The bridge splits further, at the protocol's 512-byte line limit.
  maxMessageLength: 2000,
  setupSteps: ["Address the bot in a channel as `<nick>: question`; private messages need no prefix."],
});

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [ircAdapter];
