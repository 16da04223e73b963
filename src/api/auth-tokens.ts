/** Bearer tokens: minted once, stored only as SHA-256 hashes, checked for expiry on every use. */
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { sha256Hex } from "../crypto/hmac";
import { newId, randomToken } from "../crypto/random";
import type { Db } from "../db/client";
import { authTokens, users } from "../db/schema";

/** lastUsedAt is refreshed at most this often, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function mintToken(db: Db, userId: number, kind: "session" | "api", ttlMs: number | null, name: string | null = null) {
  const token = `lg_${randomToken()}`;
  const now = Date.now();
  const id = newId("tok");
  const expiresAt = ttlMs === null ? null : now + ttlMs;
  await db.insert(authTokens).values({ tokenHash: await sha256Hex(token), id, userId, kind, name, createdAt: now, expiresAt });
  return { token, id, expiresAt };
}

/** Who a valid bearer token belongs to, and which token it is (for revocation and the live feed). */
export interface TokenOwner {
  id: number;
  username: string;
  token: { hash: string; id: string; expiresAt: number | null };
}

export async function userForToken(db: Db, token: string): Promise<TokenOwner | null> {
  const tokenHash = await sha256Hex(token);
  const now = Date.now();
  const row = await db
    .select({ id: users.id, username: users.username, lastUsedAt: authTokens.lastUsedAt, tokenId: authTokens.id, expiresAt: authTokens.expiresAt })
    .from(authTokens)
    .innerJoin(users, eq(users.id, authTokens.userId))
    .where(and(eq(authTokens.tokenHash, tokenHash), or(isNull(authTokens.expiresAt), gt(authTokens.expiresAt, now))))
    .get();
  if (!row) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    await db.update(authTokens).set({ lastUsedAt: now }).where(eq(authTokens.tokenHash, tokenHash));
  }
  return { id: row.id, username: row.username, token: { hash: tokenHash, id: row.tokenId, expiresAt: row.expiresAt } };
}

export async function revokeToken(db: Db, tokenHash: string): Promise<void> {
  await db.delete(authTokens).where(eq(authTokens.tokenHash, tokenHash));
}
