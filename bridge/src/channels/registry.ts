/** The platforms this bridge can run: one line per channel type. */
import { ircChannel } from "./irc";
import { signalChannel } from "./signal";
import { slackSocketChannel } from "./slack-socket";
import type { BridgeChannelType } from "./types";
import { whatsappWebChannel } from "./whatsapp-web";

const types: BridgeChannelType[] = [ircChannel, signalChannel, slackSocketChannel, whatsappWebChannel];

export const bridgeChannelTypes: ReadonlyMap<string, BridgeChannelType> = new Map(types.map((t) => [t.type, t]));
