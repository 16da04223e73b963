/**
 * The signed-in admin's own credentials: list and revoke login sessions, log out everywhere,
 * change the password. Every revocation also closes the live-feed sockets of the revoked tokens.
 */
import { and, eq, ne } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { hashPassword, verifyPassword } from "../crypto/password";
import { authTokens, users } from "../db/schema";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { closeFeedsOfTokens } from "./live-feed-access";
import { countLoginAttempt, tooMany } from "./throttle";
import { validate } from "./validate";

const passwordBody = z.object({
  currentPassword: z.string().min(1, "currentPassword is required").max(1024),
  newPassword: z.string().min(10, "newPassword must be at least 10 characters").max(1024),
});
const everywhereBody = z.object({
  /** Also revoke the user's long-lived API tokens (scripts, the CLI), not only login sessions. */
  includeApiTokens: z.boolean().optional(),
});

export const sessionRoutes = new Hono<AppEnv>()
  .get("/sessions", async (c) => {
    const rows = await c.var.db
      .select({ id: authTokens.id, createdAt: authTokens.createdAt, expiresAt: authTokens.expiresAt, lastUsedAt: authTokens.lastUsedAt })
      .from(authTokens)
      .where(and(eq(authTokens.userId, c.var.user.id), eq(authTokens.kind, "session")));
    const now = Date.now();
    return c.json({
      sessions: rows
        .filter((r) => r.expiresAt === null || r.expiresAt > now)
        .map((r) => ({ ...r, current: r.id === c.var.credential.id }))
        .sort((a, b) => b.createdAt - a.createdAt),
    });
  })
  .delete("/sessions/:id", async (c) => {
    const deleted = await c.var.db
      .delete(authTokens)
      .where(and(eq(authTokens.id, c.req.param("id")), eq(authTokens.userId, c.var.user.id), eq(authTokens.kind, "session")))
      .returning({ hash: authTokens.tokenHash });
    if (deleted.length === 0) fail(404, `no session ${c.req.param("id")}`);
    await closeFeedsOfTokens(
      c.env,
      deleted.map((d) => d.hash),
    );
    return c.json({ ok: true });
  })
  // Every session of this user but the one asking (which the caller can end with /logout).
  .post("/logout-everywhere", validate("json", everywhereBody), async (c) => {
    const { includeApiTokens } = c.req.valid("json");
    const revoked = await revokeOtherTokens(c.var.db, c.var.user.id, c.var.credential.hash, includeApiTokens ?? false);
    await closeFeedsOfTokens(c.env, revoked);
    return c.json({ ok: true, revoked: revoked.length });
  })
  .post("/password", validate("json", passwordBody), async (c) => {
    const { currentPassword, newPassword } = c.req.valid("json");
    // A stolen session must not be able to guess its way to the password: same limit as logins.
    const attempt = await countLoginAttempt(c.env, [`password-user:${c.var.user.id}`], c.var.config.LOGIN_FAILURES_PER_15_MINUTES);
    if (!attempt.ok) tooMany(attempt.retryAfterMs, "too many wrong passwords");
    const user = await c.var.db.select().from(users).where(eq(users.id, c.var.user.id)).get();
    if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) fail(403, "currentPassword is wrong");
    await attempt.release();
    if (currentPassword === newPassword) fail(400, "newPassword must differ from the current one");
    await c.var.db
      .update(users)
      .set({ passwordHash: await hashPassword(newPassword) })
      .where(eq(users.id, user.id));
    // Whoever knew the old password may hold a session: end them all but this one.
    const revoked = await revokeOtherTokens(c.var.db, user.id, c.var.credential.hash, false);
    await closeFeedsOfTokens(c.env, revoked);
    return c.json({ ok: true, revokedSessions: revoked.length });
  });

/** Deletes the user's tokens but `keepHash`; answers the hashes deleted, whose feeds must close. */
async function revokeOtherTokens(db: AppEnv["Variables"]["db"], userId: number, keepHash: string, includeApiTokens: boolean): Promise<string[]> {
  const deleted = await db
    .delete(authTokens)
    .where(and(eq(authTokens.userId, userId), ne(authTokens.tokenHash, keepHash), includeApiTokens ? undefined : eq(authTokens.kind, "session")))
    .returning({ hash: authTokens.tokenHash });
  return deleted.map((d) => d.hash);
}
