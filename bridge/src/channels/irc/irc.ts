/// <reference path="./irc-framework.d.ts" />
/**
 * IRC with irc-framework. A private message is a conversation with that nick; in a channel
 * the bot answers only when addressed (`nick: ...`, `nick, ...` or `@nick ...`), and answers
 * there, addressing the asker. Replies are split at the 512-byte line limit and paced by a
 * flood queue. The bridge owns reconnection (backoff with jitter) and rejoins on every login.
 */
import { randomUUID } from "node:crypto";
import { Client, type IrcMessageEvent } from "irc-framework";
import { ircConfigSchema, type IrcConfig } from "../../../../src/channels/irc";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import { FloodQueue } from "./flood-queue";
import { IrcAccounts, ircSenderId } from "./identity";
import { privmsgTextBudget, splitIrcMessage } from "./lines";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, RunningChannel } from "../shared/types";
import { UNVERIFIED_SENDER_PREFIX } from "../../../../src/lib/sender-policy";

const RECONNECT = { baseMs: 1000, maxMs: 60_000 };
const REJOIN_AFTER_KICK_MS = 5000;

/** The text of a channel message addressed to `nick`, or null when it is not for the bot. */
export function addressedText(message: string, nick: string): string | null {
  const escaped = nick.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`^(?:@?${escaped}[:,]|@${escaped}\\b)\\s*(.*)$`, "is").exec(message.trim());
  return match ? (match[1] ?? "").trim() : null;
}

const isChannelName = (target: string) => /^[#&+!]/.test(target);

class IrcConnection implements RunningChannel {
  private client: Client | null = null;
  private registered = false;
  private stopped = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private readonly flood: FloodQueue;

  constructor(
    private readonly config: IrcConfig,
    private readonly host: ChannelHost,
  ) {
    this.flood = new FloodQueue(config.floodBurst, config.floodIntervalMs);
    this.connect();
  }

  async send(reply: Parameters<RunningChannel["send"]>[0]): Promise<DeliveryOutcome> {
    const client = this.client;
    if (!client || !this.registered) return { ok: false, retryable: true, error: "not connected to the IRC server" };
    // A PM goes back to the nick it came from: the sender id is an account (or `unverified:<nick>`), not an address.
    const target = reply.conversationId ?? reply.replyContext?.nick ?? reply.recipient.replace(UNVERIFIED_SENDER_PREFIX, "");
    const inChannel = isChannelName(target);
    const prefix = inChannel ? `${reply.replyContext?.nick ?? reply.recipient}: ` : "";
    const lines = splitIrcMessage(reply.text, privmsgTextBudget(client.user.nick, target) - Buffer.byteLength(prefix));
    for (const [i, line] of lines.entries()) {
      const text = i === 0 ? prefix + line : line;
      const sent = await this.flood.push(() => client.raw("PRIVMSG", target, text));
      if (!sent || client !== this.client) return { ok: false, retryable: true, error: "connection lost while sending" };
    }
    return { ok: true };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.flood.clear();
    const client = this.client;
    this.client = null;
    if (client?.connected) client.quit("bridge stopping");
    client?.removeAllListeners();
    this.host.state("stopped");
  }

  private connect(): void {
    const { config, host } = this;
    const client = new Client();
    this.client = client;
    this.registered = false;
    const accounts = new IrcAccounts((s) => client.caseLower(s));
    if (this.attempt === 0) host.state("connecting");
    client.on("registered", () => {
      this.registered = true;
      this.attempt = 0;
      if (config.nickservPassword) client.say("NickServ", `IDENTIFY ${config.nickservPassword}`);
      for (const channel of config.channels) client.join(channel);
      host.state("connected");
      host.log.info("irc registered", { nick: client.user.nick, channels: config.channels });
    });
    client.on("nick in use", () => {
      if (!this.registered) client.changeNick(`${client.user.nick}_`);
    });
    client.on("kick", (e: { kicked: string; channel: string }) => {
      if (client.caseCompare(e.kicked, client.user.nick))
        setTimeout(() => this.client === client && this.registered && client.join(e.channel), REJOIN_AFTER_KICK_MS);
    });
    client.on("irc error", (e: { error: string; reason?: string }) => {
      host.log.warn("irc error", { error: e.error, reason: e.reason });
      if (e.error === "sasl" || e.error === "password_mismatch") host.state("failed", `IRC login refused: ${e.reason ?? e.error}`);
    });
    client.on("account", (e: { nick: string; account: string | false }) => accounts.set(e.nick, e.account));
    client.on("join", (e: { nick: string; account?: string | false }) => accounts.set(e.nick, e.account));
    client.on("nick", (e: { nick: string; new_nick: string }) => accounts.renamed(e.nick, e.new_nick));
    client.on("quit", (e: { nick: string }) => accounts.forget(e.nick));
    client.on("message", (e: IrcMessageEvent) => this.onMessage(client, e, accounts));
    client.on("close", () => {
      if (this.client !== client) return;
      this.registered = false;
      this.flood.clear();
      client.removeAllListeners();
      if (this.stopped) return;
      const delay = backoffDelayMs(this.attempt++, RECONNECT);
      host.state("connecting", `disconnected from ${config.host}; reconnecting`);
      host.log.info("irc reconnect scheduled", { inMs: delay });
      this.retry = setTimeout(() => this.connect(), delay);
    });
    client.connect({
      host: config.host,
      port: config.port ?? (config.tls ? 6697 : 6667),
      tls: config.tls,
      nick: config.nick,
      username: config.username ?? config.nick,
      gecos: config.realname ?? "Loopgate",
      password: config.password,
      account: config.saslAccount && config.saslPassword ? { account: config.saslAccount, password: config.saslPassword } : undefined,
      auto_reconnect: false,
      message_max_length: 512,
    });
  }

  private onMessage(client: Client, e: IrcMessageEvent, accounts: IrcAccounts): void {
    if (e.type !== "privmsg" || client.caseCompare(e.nick, client.user.nick)) return;
    const base = {
      senderId: ircSenderId(e.nick, e.account || undefined, accounts, (s) => client.caseLower(s)),
      senderName: e.nick,
      platformMessageId: e.tags?.msgid ? `irc:${e.tags.msgid}` : `irc:${randomUUID()}`,
      replyContext: { nick: e.nick },
    };
    if (client.caseCompare(e.target, client.user.nick)) {
      this.host.receive({ ...base, conversationId: e.nick, text: e.message });
      return;
    }
    if (!isChannelName(e.target)) return;
    const text = addressedText(e.message, client.user.nick);
    if (text) this.host.receive({ ...base, conversationId: e.target, text });
  }
}

export const ircChannel: BridgeChannelType = {
  type: "irc",
  start(channel, host) {
    const parsed = ircConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid irc config: ${describeZodError(parsed.error)}`);
    return new IrcConnection(parsed.data, host);
  },
};
