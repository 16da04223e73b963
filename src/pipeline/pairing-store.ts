/**
 * Pipeline stage 4 for `pairing` channels, and the admin side of it: request codes for
 * unpaired senders, invite codes minted by an admin, approval, rejection and revocation.
 * Codes are single-use and expire; every state change is a row in D1.
 */
import { and, eq, gt } from "drizzle-orm";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { pairings, senders } from "../db/schema";
import { LONG_INVITE_AFTER_MS, LONG_PAIRING_CODE_LENGTH, newPairingCode, PAIRING_CODE_LENGTH, PAIRING_CODE_TTL_MS } from "./pairing-code";

export async function isPaired(db: Db, channelId: string, senderId: string): Promise<boolean> {
  const row = await db
    .select({ status: senders.status })
    .from(senders)
    .where(and(eq(senders.channelId, channelId), eq(senders.senderId, senderId)))
    .get();
  return row?.status === "paired";
}

/** The sender's pending request code, reused while valid so repeated messages show one code. */
export async function requestCode(
  db: Db,
  channelId: string,
  senderId: string,
  senderName: string | undefined,
  now: number,
): Promise<{ code: string; expiresAt: number; isNew: boolean }> {
  const existing = await db
    .select()
    .from(pairings)
    .where(
      and(
        eq(pairings.kind, "request"),
        eq(pairings.channelId, channelId),
        eq(pairings.senderId, senderId),
        eq(pairings.status, "pending"),
        gt(pairings.expiresAt, now),
      ),
    )
    .get();
  if (existing) return { code: existing.code, expiresAt: existing.expiresAt, isNew: false };
  const code = newPairingCode();
  const expiresAt = now + PAIRING_CODE_TTL_MS;
  await db.insert(pairings).values({ code, kind: "request", channelId, senderId, senderName, status: "pending", createdAt: now, expiresAt });
  return { code, expiresAt, isNew: true };
}

export async function mintInvite(db: Db, channelId: string | null, now: number, ttlMs = PAIRING_CODE_TTL_MS): Promise<{ code: string; expiresAt: number }> {
  const code = newPairingCode(ttlMs > LONG_INVITE_AFTER_MS ? LONG_PAIRING_CODE_LENGTH : PAIRING_CODE_LENGTH);
  const expiresAt = now + ttlMs;
  await db.insert(pairings).values({ code, kind: "invite", channelId, status: "pending", createdAt: now, expiresAt });
  return { code, expiresAt };
}

export async function markPaired(db: Db, channelId: string, senderId: string, name: string | null | undefined, now: number): Promise<void> {
  await db
    .insert(senders)
    .values({ id: newId("snd"), channelId, senderId, name: name ?? null, status: "paired", pairedAt: now, createdAt: now })
    .onConflictDoUpdate({ target: [senders.channelId, senders.senderId], set: { status: "paired", pairedAt: now, ...(name ? { name } : {}) } });
}

export type RedeemResult = { ok: true } | { ok: false; reason: "unknown" | "expired" | "other-channel" };

/**
 * A sender typed `/pair CODE`: an invite code for this channel (or for any channel) pairs
 * them at once. The update is conditional on `pending`, so a code is used exactly once.
 */
export async function redeemInvite(
  db: Db,
  code: string,
  channelId: string,
  senderId: string,
  senderName: string | undefined,
  now: number,
): Promise<RedeemResult> {
  const row = await db
    .select()
    .from(pairings)
    .where(and(eq(pairings.code, code), eq(pairings.kind, "invite"), eq(pairings.status, "pending")))
    .get();
  if (!row) return { ok: false, reason: "unknown" };
  if (row.expiresAt <= now) return { ok: false, reason: "expired" };
  if (row.channelId && row.channelId !== channelId) return { ok: false, reason: "other-channel" };
  const claimed = await db
    .update(pairings)
    .set({ status: "used", senderId, senderName: senderName ?? null, decidedAt: now, channelId })
    .where(and(eq(pairings.code, code), eq(pairings.status, "pending")))
    .returning({ code: pairings.code });
  if (claimed.length === 0) return { ok: false, reason: "unknown" };
  await markPaired(db, channelId, senderId, senderName, now);
  return { ok: true };
}

export type DecideResult = { ok: true; channelId: string; senderId: string } | { ok: false; status: 404 | 409 | 410; error: string };

/** The admin approves or rejects a sender's request code. */
export async function decideRequest(db: Db, code: string, decision: "approved" | "rejected", now: number): Promise<DecideResult> {
  const row = await db.select().from(pairings).where(eq(pairings.code, code)).get();
  if (!row || row.kind !== "request" || !row.channelId || !row.senderId) return { ok: false, status: 404, error: `no pairing request with code ${code}` };
  if (row.status !== "pending") return { ok: false, status: 409, error: `pairing ${code} is already ${row.status}` };
  if (row.expiresAt <= now) return { ok: false, status: 410, error: `pairing code ${code} expired; the sender gets a new one by writing again` };
  const updated = await db
    .update(pairings)
    .set({ status: decision, decidedAt: now })
    .where(and(eq(pairings.code, code), eq(pairings.status, "pending")))
    .returning({ code: pairings.code });
  if (updated.length === 0) return { ok: false, status: 409, error: `pairing ${code} was decided concurrently` };
  if (decision === "approved") await markPaired(db, row.channelId, row.senderId, row.senderName, now);
  return { ok: true, channelId: row.channelId, senderId: row.senderId };
}
