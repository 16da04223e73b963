/**
 * The "Bot is typing…" indicator while the agent works: Discord shows it for 10 seconds per
 * POST /channels/{id}/typing, so it is renewed until the reply goes out, for at most two
 * minutes (a turn that takes longer should not look like endless typing).
 */
import { discordCall, type DiscordClient } from "../../../../src/channels/discord/api";

const RENEW_MS = 8000;
const MAX_TYPING_MS = 120_000;

export class TypingIndicator {
  private readonly active = new Map<string, { timer: NodeJS.Timeout; until: number }>();

  constructor(private readonly client: DiscordClient) {}

  start(channelId: string): void {
    this.stop(channelId);
    const until = Date.now() + MAX_TYPING_MS;
    const ping = () => void discordCall(this.client, "POST", `/channels/${channelId}/typing`).catch(() => undefined);
    ping();
    const timer = setInterval(() => (Date.now() > until ? this.stop(channelId) : ping()), RENEW_MS);
    this.active.set(channelId, { timer, until });
  }

  stop(channelId: string): void {
    const entry = this.active.get(channelId);
    if (entry) clearInterval(entry.timer);
    this.active.delete(channelId);
  }

  stopAll(): void {
    for (const id of [...this.active.keys()]) this.stop(id);
  }
}
