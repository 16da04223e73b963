/** The platforms this bridge can run: one line per channel type. */
import { ircChannel } from "./irc/irc";
import { signalChannel } from "./signal/signal";
import { slackSocketChannel } from "./slack/socket-mode";
import type { BridgeChannelType } from "./shared/types";
import { whatsappWebChannel } from "./whatsapp/web";

const types: BridgeChannelType[] = [ircChannel, signalChannel, slackSocketChannel, whatsappWebChannel];

export const bridgeChannelTypes: ReadonlyMap<string, BridgeChannelType> = new Map(types.map((t) => [t.type, t]));
