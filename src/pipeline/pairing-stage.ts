/**
 * Pipeline stage 4 on a `pairing` channel: a paired sender passes; `/pair CODE` redeems an
 * invite (guesses are counted per sender, per channel and per gateway, and locked out); anyone
 * else gets a request code to show the admin. Returns null when the message may go on to the agent.
 */
import type { Db } from "../db/client";
import { type InboundOutcome } from "./records";
import { feedEvent, type FeedEvent } from "../db/feed-events";
import { isPaired, redeemInvite, requestCode } from "./pairing-store";
import {
  PAIRING_CHANNEL_MAX_GUESSES,
  PAIRING_CODE_TTL_MS,
  PAIRING_GATEWAY_MAX_GUESSES,
  PAIRING_LOCKOUT_MS,
  PAIRING_MAX_GUESSES,
  parsePairCommand,
} from "./pairing-code";
import { countAttempt } from "../objects/attempt-limit";
import { notices } from "./notices";

/** The few facts the stage needs about the message. */
export interface PairingInput {
  id: string;
  channel_id: string;
  sender_id: string;
  sender_name: string | null;
  text: string;
}

/** Where the sender's wrong-guess count lives (the sender's own object storage). */
export interface GuessStore {
  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T>;
}

interface Guesses {
  count: number;
  lockedUntil: number;
}

export interface PairingGate {
  outcome: InboundOutcome;
  reply: string;
  events: FeedEvent[];
}

function readGuesses(sql: GuessStore): Guesses {
  const row = sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = 'pair_guesses'").toArray()[0];
  return row ? (JSON.parse(row.value) as Guesses) : { count: 0, lockedUntil: 0 };
}

function writeGuesses(sql: GuessStore, g: Guesses): void {
  sql.exec("INSERT INTO kv (key, value) VALUES ('pair_guesses', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", JSON.stringify(g));
}

/**
 * `throttles` hold the channel's and the gateway's guess windows: a guess takes its place there
 * before the code is looked up (so parallel senders cannot slip past) and gives it back when right.
 */
export async function decidePairing(db: Db, sql: GuessStore, throttles: Env["THROTTLE"], msg: PairingInput, now: number): Promise<PairingGate | null> {
  const { channel_id: channelId, sender_id: senderId } = msg;
  if (await isPaired(db, channelId, senderId)) return null;
  const name = msg.sender_name ?? undefined;
  const command = parsePairCommand(msg.text);

  if (command === undefined) {
    const { code, isNew } = await requestCode(db, channelId, senderId, name, now);
    const events = isNew ? [feedEvent("pairing.requested", channelId, senderId, { code, senderName: name ?? null }, now)] : [];
    return { outcome: "unpaired", reply: notices.pairingRequest(code, PAIRING_CODE_TTL_MS / 60_000), events };
  }

  const guesses = readGuesses(sql);
  if (guesses.lockedUntil > now) {
    return { outcome: "pairing_failed", reply: notices.pairingLocked(), events: [feedEvent("pairing.locked", channelId, senderId, {}, now)] };
  }
  const counted = await countAttempt({ THROTTLE: throttles }, [
    { key: `pair-guess-channel:${channelId}`, max: PAIRING_CHANNEL_MAX_GUESSES, windowMs: PAIRING_LOCKOUT_MS },
    { key: "pair-guess-gateway", max: PAIRING_GATEWAY_MAX_GUESSES, windowMs: PAIRING_LOCKOUT_MS },
  ]);
  if (!counted.ok) {
    const scope = counted.refusedBy === "pair-guess-gateway" ? "gateway" : "channel";
    return { outcome: "pairing_failed", reply: notices.pairingLocked(), events: [feedEvent("pairing.locked", channelId, senderId, { scope }, now)] };
  }
  const result = command === null ? ({ ok: false, reason: "not a valid code" } as const) : await redeemInvite(db, command, channelId, senderId, name, now);
  if (result.ok) {
    await counted.release();
    writeGuesses(sql, { count: 0, lockedUntil: 0 });
    return { outcome: "paired", reply: notices.paired(), events: [feedEvent("sender.paired", channelId, senderId, { via: "invite" }, now)] };
  }
  const count = guesses.count + 1;
  const locked = count >= PAIRING_MAX_GUESSES;
  writeGuesses(sql, { count: locked ? 0 : count, lockedUntil: locked ? now + PAIRING_LOCKOUT_MS : 0 });
  const reason =
    result.reason === "other-channel"
      ? "it is for another channel"
      : result.reason === "expired"
        ? "it expired"
        : result.reason === "unknown"
          ? "unknown code"
          : result.reason;
  return {
    outcome: "pairing_failed",
    reply: locked ? notices.pairingLocked() : notices.pairingFailed(reason),
    events: [feedEvent("pairing.failed", channelId, senderId, { reason, attempts: count, locked }, now)],
  };
}
