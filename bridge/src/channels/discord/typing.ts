/**
 * The "Bot is typing…" indicator while the agent works: Discord shows it for 10 seconds per
 * POST /channels/{id}/typing, so it is renewed every 8 s until the reply goes out, for at most
 * two minutes (the shared bridge helper, ../shared/typing.ts). Discord has no "stop typing"
 * call: the reply itself clears it.
 */
import { discordCall, type DiscordClient } from "../../../../src/channels/discord/api";
import { DEFAULT_MAX_TYPING_MS, TypingIndicator } from "../shared/typing";

const RENEW_MS = 8000;

export function discordTyping(client: DiscordClient): TypingIndicator {
  return new TypingIndicator({
    ping: (channelId) => discordCall(client, "POST", `/channels/${channelId}/typing`),
    renewMs: RENEW_MS,
    maxMs: DEFAULT_MAX_TYPING_MS,
  });
}
