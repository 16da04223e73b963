/**
 * Twitch setup: creates the EventSub webhook subscriptions with an app access token, for chat
 * messages in the broadcaster's channel (read as the bot) and whispers to the bot. Twitch
 * then sends the callback verification challenge, which the channel answers.
 * https://dev.twitch.tv/docs/api/reference/#create-eventsub-subscription
 */
import { appAccessToken, helix, type TwitchClient } from "./api";
import type { TwitchConfig } from "./config";

interface Wanted {
  type: string;
  condition: Record<string, string>;
  /** Whether setup fails without it. */
  required: boolean;
}

export function wantedSubscriptions(config: TwitchConfig): Wanted[] {
  return [
    { type: "channel.chat.message", condition: { broadcaster_user_id: config.broadcasterUserId, user_id: config.botUserId }, required: true },
    { type: "user.whisper.message", condition: { user_id: config.botUserId }, required: false },
  ];
}

export async function createSubscriptions(client: TwitchClient, config: TwitchConfig, callback: string): Promise<{ ok: boolean; steps: string[] }> {
  let token: string;
  try {
    token = await appAccessToken(client);
  } catch (err) {
    return { ok: false, steps: [`${err instanceof Error ? err.message : String(err)}. Check clientId and clientSecret.`] };
  }
  const steps: string[] = [];
  let ok = true;
  for (const sub of wantedSubscriptions(config)) {
    const res = await helix(client, token, "POST", "/eventsub/subscriptions", {
      type: sub.type,
      version: "1",
      condition: sub.condition,
      transport: { method: "webhook", callback, secret: config.eventSubSecret },
    });
    const body = (await res.json().catch(() => ({}))) as { message?: string; data?: { status?: string }[] };
    if (res.status === 202) steps.push(`${sub.type}: subscribed (${body.data?.[0]?.status ?? "pending"}), callback ${callback}.`);
    else if (res.status === 409) steps.push(`${sub.type}: already subscribed.`);
    else {
      if (sub.required) ok = false;
      steps.push(
        `${sub.type}: Twitch refused the subscription (HTTP ${res.status} ${body.message ?? ""}).${sub.required ? "" : " Whispers will not reach the agent."}`,
      );
    }
  }
  steps.push(
    "The bot account must authorize this app with user:read:chat, user:write:chat and user:bot; the broadcaster with channel:bot (or make the bot a moderator).",
    "Chat: mention the bot, reply to it, or use the command prefix. Whispers: need user:manage:whispers on the bot and a verified phone number.",
  );
  return { ok, steps };
}
