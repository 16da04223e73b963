/**
 * LINE's loading animation (the "…" bubble), LINE's typing indicator: shown from the webhook as
 * soon as a one-to-one message arrives, and renewed by the turn's typing timer
 * (workers/sender-session-live.ts) until the reply goes out. LINE shows it for `loadingSeconds`
 * (5-60, in steps of 5) or until the account's next message, and a second request while it shows
 * overrides the remaining time (docs: "Display a loading animation"); groups and rooms cannot
 * show it.
 */
import { type LineClient, lineCall } from "./api";
import type { ReplyTarget, TypingIndicator } from "../shared/types";

/**
 * Each request shows it this long: a short span renewed while the turn runs, so it stops soon
 * after a turn that ended without a reply (a crash), rather than a minute later.
 */
export const LOADING_SECONDS = 20;
/** Renewed this often: well before the span above runs out, even for a slow call. */
export const LOADING_RENEW_MS = 15_000;
/** How long the loading call may delay the webhook's answer or the renewal. */
const LOADING_TIMEOUT_MS = 2000;

/** A one-to-one chat's id is the person's user id; a group's or room's is not. */
export function oneToOneChat(target: ReplyTarget): string | null {
  const chatId = target.replyContext?.chatId ?? target.conversationId ?? target.recipient;
  return chatId === target.recipient ? chatId : null;
}

/** Shows the animation in these one-to-one chats; best effort, bounded so the caller never waits long. */
export async function showLoading(c: LineClient, chatIds: string[]): Promise<void> {
  const calls = [...new Set(chatIds)].map((chatId) =>
    lineCall(c, "POST", "/v2/bot/chat/loading/start", { chatId, loadingSeconds: LOADING_SECONDS }).then((r) => r.body?.cancel()),
  );
  await Promise.race([Promise.allSettled(calls), new Promise((r) => setTimeout(r, LOADING_TIMEOUT_MS))]);
}

/** The typing indicator for the adapter, given how it builds its API client from a channel's config. */
export function lineTyping<C>(clientOf: (config: C, fetchFn: typeof fetch) => LineClient): TypingIndicator<C> {
  return {
    renewEveryMs: LOADING_RENEW_MS,
    async show(target, ctx) {
      const chatId = oneToOneChat(target);
      if (chatId) await showLoading(clientOf(ctx.config, ctx.fetch), [chatId]);
    },
  };
}
