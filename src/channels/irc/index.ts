/** IRC through the bridge (irc-framework): PMs are conversations per nick; in channels the bot answers when addressed. */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";

const ircChannelName = z.string().regex(/^[#&+!][^\s,\x07]{1,49}$/, "IRC channels start with # (or &, +, !) and contain no spaces or commas");

export const ircConfigSchema = z.object({
  bridgeId: bridgeIdField,
  host: z
    .string()
    .min(1)
    .max(255)
    .meta({ title: "Server" })
    .describe("Host name of the IRC network's server, e.g. irc.libera.chat (the network's website lists it)."),
  port: z.number().int().min(1).max(65535).optional().meta({ title: "Port" }).describe("Optional: leave empty for 6697 with TLS, 6667 without."),
  tls: z
    .boolean()
    .default(true)
    .meta({ title: "Use TLS" })
    .describe("Connect encrypted (on by default). Turn it off only for a server that offers no TLS: passwords would then cross the network in clear text."),
  nick: z
    .string()
    .regex(/^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,29}$/, "not a valid IRC nick")
    .meta({ title: "Nick" })
    .describe("The bot's nickname, e.g. loopbot. In channels people address it as <nick>: question."),
  username: z
    .string()
    .min(1)
    .max(30)
    .optional()
    .meta({ title: "User name (ident)" })
    .describe("Optional: the user name shown in the bot's address (nick!user@host). Empty: the nick."),
  realname: z.string().min(1).max(100).optional().meta({ title: "Real name" }).describe("Optional: the free-text name WHOIS shows. Empty: Loopgate."),
  password: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ title: "Server password" })
    .describe("Optional: the password of a server that asks for one at connection (PASS), e.g. a private server or a bouncer. Empty: none is sent."),
  saslAccount: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .meta({ title: "SASL account" })
    .describe(
      "Optional: the name of the bot's registered account on the network (registered with NickServ), to log in with SASL PLAIN while connecting. Empty: no SASL login.",
    ),
  saslPassword: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ title: "SASL password" })
    .describe("Optional: the password of that registered account. Needed together with the SASL account."),
  nickservPassword: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ title: "NickServ password" })
    .describe(
      "Optional, for networks without SASL: the password of the nick's registered account, sent to NickServ as IDENTIFY after connecting. Empty: the bot does not identify.",
    ),
  channels: z
    .array(ircChannelName)
    .max(50)
    .default([])
    .meta({ title: "Channels" })
    .describe("Optional: channels to join, e.g. #support, up to 50. Empty: the bot answers private messages only."),
  floodBurst: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(4)
    .meta({ title: "Lines sent at once" })
    .describe(
      "Flood protection: how many lines the bot sends at once before slowing to one line per interval, so the server does not disconnect it. Default 4.",
    ),
  floodIntervalMs: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(1000)
    .meta({ title: "Pause between lines (ms)" })
    .describe("Flood protection: milliseconds between lines after that burst. Default 1000 (one line a second)."),
});
export type IrcConfig = z.infer<typeof ircConfigSchema>;

export const ircAdapter = createBridgedAdapter<IrcConfig>({
  type: "irc",
  description: "IRC (via the bridge): private messages per nick, channel messages when addressed by nick",
  configSchema: ircConfigSchema as z.ZodType<IrcConfig>,
  secretFields: ["password", "saslPassword", "nickservPassword"],
  endpointFields: ["host", "port", "tls"],
  // The bridge splits further, at the protocol's 512-byte line limit.
  maxMessageLength: 2000,
  setupSteps: ["Address the bot in a channel as `<nick>: question`; private messages need no prefix."],
});

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [ircAdapter];
