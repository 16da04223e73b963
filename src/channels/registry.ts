/** Every channel type the gateway knows: adding a channel is one file and one line here. */
import { ircAdapter } from "./irc";
import { signalAdapter } from "./signal";
import { slackSocketAdapter } from "./slack/socket-mode";
import { whatsappWebAdapter } from "./whatsapp/web";
import { discordAdapter } from "./discord";
import { emailAdapter } from "./email";
import { slackAdapter } from "./slack";
import { telegramAdapter } from "./telegram";
import type { ChannelAdapter } from "./shared/types";
import { webAdapter } from "./web";
import { webhookAdapter } from "./webhook";
import { whatsappAdapter } from "./whatsapp";

const adapters = [
  webhookAdapter,
  webAdapter,
  telegramAdapter,
  slackAdapter,
  discordAdapter,
  emailAdapter,
  whatsappAdapter,
  // Served by the bridge (socket platforms): their `send` queues to the bridge.
  ircAdapter,
  signalAdapter,
  slackSocketAdapter,
  whatsappWebAdapter,
] as ChannelAdapter<never>[];

export const channelRegistry: ReadonlyMap<string, ChannelAdapter<unknown>> = new Map(
  adapters.map((a) => [a.type, a as unknown as ChannelAdapter<unknown>]),
);

export function getAdapter(type: string): ChannelAdapter<unknown> | undefined {
  return channelRegistry.get(type);
}
