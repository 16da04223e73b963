/**
 * The getUpdates side of the fake Bot API (https://core.telegram.org/bots/api#getupdates):
 * updates wait on the "server" until a getUpdates call with a higher `offset` confirms them;
 * a call without one returns from the earliest unconfirmed update; a long poll (`timeout`)
 * is held until an update arrives. As on Telegram, a second poll ends the first one with 409,
 * and polling is refused with 409 while a webhook is set.
 */
import type { Update } from "grammy/types";

type PollAnswer = { status: number; body: Record<string, unknown> };

const conflict = (description: string): PollAnswer => ({ status: 409, body: { ok: false, error_code: 409, description: `Conflict: ${description}` } });
export const WEBHOOK_ACTIVE = conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
const TERMINATED = conflict("terminated by other getUpdates request; make sure that only one bot instance is running");
/** The Bot API caps `limit` at 100. */
const MAX_LIMIT = 100;

export function createUpdateQueue() {
  let pending: Update[] = [];
  let waiter: { answer: (a: PollAnswer) => void; wake: () => void } | null = null;
  const state = {
    /** How many times each update_id was handed to a poller (more than once = not confirmed in time). */
    handedOut: new Map<number, number>(),
    /** Every update ever queued, for tests to look up. */
    queued: [] as Update[],
  };

  function confirm(offset: number) {
    pending = pending.filter((u) => u.update_id >= offset);
  }

  function take(offset: number | undefined, limit: number): Update[] {
    const batch = pending.filter((u) => offset === undefined || u.update_id >= offset).slice(0, limit);
    for (const u of batch) state.handedOut.set(u.update_id, (state.handedOut.get(u.update_id) ?? 0) + 1);
    return batch;
  }

  return {
    state,
    /** Unconfirmed updates still held for the bot. */
    pendingCount: () => pending.length,
    enqueue(update: Update) {
      pending.push(update);
      state.queued.push(update);
      waiter?.wake();
    },
    /** deleteWebhook with drop_pending_updates. */
    drop() {
      pending = [];
    },
    /** A webhook was set: a held poll ends with what it has (nothing), later polls get WEBHOOK_ACTIVE. */
    release() {
      waiter?.answer({ status: 200, body: { ok: true, result: [] } });
    },
    /** Answers one getUpdates call; `webhookActive` is checked by the caller's state at call time. */
    async poll(params: Record<string, unknown>, webhookActive: () => boolean, onHandOut?: (batch: Update[]) => void): Promise<PollAnswer> {
      if (webhookActive()) return WEBHOOK_ACTIVE;
      const offset = params.offset === undefined ? undefined : Number(params.offset);
      const limit = Math.min(MAX_LIMIT, Math.max(1, Number(params.limit ?? MAX_LIMIT)));
      const timeoutMs = Math.max(0, Number(params.timeout ?? 0)) * 1000;
      if (offset !== undefined && Number.isFinite(offset) && offset > 0) confirm(offset);
      waiter?.answer(TERMINATED);
      const ready = () => take(offset, limit);
      let batch = ready();
      if (batch.length === 0 && timeoutMs > 0) {
        const held = await new Promise<PollAnswer | null>((resolve) => {
          const timer = setTimeout(() => finish(null), timeoutMs);
          const me = {
            answer: (a: PollAnswer) => finish(a),
            wake: () => {
              if (pending.some((u) => offset === undefined || u.update_id >= offset)) finish(null);
            },
          };
          function finish(a: PollAnswer | null) {
            clearTimeout(timer);
            if (waiter === me) waiter = null;
            resolve(a);
          }
          waiter = me;
        });
        if (held) return held;
        batch = ready();
      }
      onHandOut?.(batch);
      return { status: 200, body: { ok: true, result: batch } };
    },
  };
}
