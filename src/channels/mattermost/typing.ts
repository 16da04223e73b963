/**
 * Mattermost's "… is typing" line, shown by the turn's typing timer
 * (workers/sender-session-live.ts) while the agent works: `POST /api/v4/users/me/typing` with
 * the bot token publishes a `typing` WebSocket event for the bot in the channel (in the thread
 * when `parent_id` names its root). Mattermost's apps show it for the server's
 * `TimeBetweenUserTypingUpdatesMilliseconds` (5 s by default) or until the bot's post arrives,
 * so it is renewed every 4 s while the turn runs. Needs server 5.26 or later.
 */
import { type MattermostClient, mattermostCall } from "./api";
import type { ReplyTarget, TypingIndicator } from "../shared/types";

/** How long Mattermost's apps show the line by default (ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds). */
export const MATTERMOST_TYPING_SHOWN_MS = 5_000;
/** Renewed this often: before the line lapses, also after a slow call. */
export const MATTERMOST_TYPING_RENEW_MS = 4_000;
/** How long one request may take before it is given up (the next renewal tries again). */
const TYPING_TIMEOUT_MS = 3_000;

/** The request body: the channel the reply goes to, and the thread's root when it goes in one. */
export function typingRequest(target: ReplyTarget): { channel_id: string; parent_id?: string } {
  const channelId = target.conversationId ?? target.recipient;
  const rootId = target.replyContext?.rootId;
  return { channel_id: channelId, ...(rootId ? { parent_id: rootId } : {}) };
}

/** The typing indicator for the adapter, given how it builds its API client from a channel's config. */
export function mattermostTyping<C>(clientOf: (config: C, fetchFn: typeof fetch) => MattermostClient): TypingIndicator<C> {
  return {
    renewEveryMs: MATTERMOST_TYPING_RENEW_MS,
    async show(target, ctx) {
      const base = clientOf(ctx.config, ctx.fetch);
      const signal = AbortSignal.timeout(TYPING_TIMEOUT_MS);
      const client: MattermostClient = { ...base, fetch: (input, init) => base.fetch(input, { ...init, signal }) };
      const res = await mattermostCall(client, "POST", "/users/me/typing", typingRequest(target));
      await res.body?.cancel();
    },
  };
}
