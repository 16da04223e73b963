/**
 * Admin auth, with the original product's paths: status, setup (first admin only, guarded by
 * the setup token), login, logout, and long-lived API tokens for scripts and the CLI.
 */
import { and, count, eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { timingSafeEqual } from "../crypto/compare";
import { hashPassword, verifyPassword } from "../crypto/password";
import { sha256Hex } from "../crypto/hmac";
import { authTokens, users } from "../db/schema";
import { clientKey } from "./client-ip";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { mintToken, revokeToken } from "./auth-tokens";
import { closeFeedsOfTokens } from "./live-feed-access";
import { requireAuth } from "./require-auth";
import { countLoginAttempt, tooMany } from "./throttle";
import { validate } from "./validate";

const credentials = z.object({
  username: z.string().trim().min(1, "username is required").max(64),
  password: z.string().min(1, "password is required").max(1024),
});
const setupBody = z.object({
  username: z
    .string()
    .trim()
    .min(1, "username is required")
    .max(64)
    .regex(/^[\w.@-]+$/, "username may contain letters, digits and . _ @ - only"),
  password: z.string().min(10, "password must be at least 10 characters").max(1024),
  setupToken: z.string().optional(),
});

async function userCount(db: AppEnv["Variables"]["db"]): Promise<number> {
  return (await db.select({ n: count() }).from(users).get())?.n ?? 0;
}

export const publicAuthRoutes = new Hono<AppEnv>()
  .get("/status", async (c) => c.json({ setupRequired: (await userCount(c.var.db)) === 0 }))
  .post("/setup", validate("json", setupBody), async (c) => {
    const { username, password, setupToken } = c.req.valid("json");
    const expected = c.var.config.LOOPGATE_SETUP_TOKEN;
    if (!expected)
      fail(403, "LOOPGATE_SETUP_TOKEN is not configured on this gateway; set it (wrangler secret put LOOPGATE_SETUP_TOKEN) to create the first admin");
    if (!setupToken || !timingSafeEqual(await sha256Hex(setupToken), await sha256Hex(expected))) fail(403, "wrong or missing setupToken");
    const passwordHash = await hashPassword(password);
    // Conditional insert: of two racing setups, only one can create the first user.
    const inserted = await c.env.DB.prepare("INSERT INTO users (username, password_hash, created_at) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)")
      .bind(username, passwordHash, Date.now())
      .run();
    if (inserted.meta.changes !== 1) fail(409, "setup is already done; log in instead");
    const user = await c.var.db.select().from(users).where(eq(users.username, username)).get();
    if (!user) fail(500, "setup failed");
    const { token, expiresAt } = await mintToken(c.var.db, user.id, "session", c.var.config.SESSION_TOKEN_TTL_HOURS * 3600_000);
    return c.json({ token, expiresAt, username }, 201);
  })
  .post("/login", validate("json", credentials), async (c) => {
    const { username, password } = c.req.valid("json");
    const attempt = await countLoginAttempt(
      c.env,
      [`login-ip:${clientKey(c)}`, `login-user:${username.toLowerCase()}`],
      c.var.config.LOGIN_FAILURES_PER_15_MINUTES,
    );
    if (!attempt.ok) tooMany(attempt.retryAfterMs, "too many failed logins");
    const user = await c.var.db.select().from(users).where(eq(users.username, username)).get();
    // Hash even for unknown users so response time does not reveal which usernames exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? "pbkdf2$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    if (!user || !ok) fail(401, "invalid username or password");
    await attempt.release();
    const { token, expiresAt } = await mintToken(c.var.db, user.id, "session", c.var.config.SESSION_TOKEN_TTL_HOURS * 3600_000);
    return c.json({ token, expiresAt, username: user.username });
  });

const tokenBody = z.object({
  name: z.string().trim().min(1, "name is required").max(100),
  expiresInDays: z.number().int().positive().max(3650).optional(),
});

export const privateAuthRoutes = new Hono<AppEnv>()
  .post("/logout", async (c) => {
    await revokeToken(c.var.db, c.var.credential.hash);
    await closeFeedsOfTokens(c.env, [c.var.credential.hash]);
    return c.json({ ok: true });
  })
  .get("/me", (c) => c.json({ username: c.var.user.username }));

/** Long-lived API tokens for scripts and the CLI: shown once at creation. */
export const tokenRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await c.var.db
      .select({ id: authTokens.id, name: authTokens.name, createdAt: authTokens.createdAt, expiresAt: authTokens.expiresAt, lastUsedAt: authTokens.lastUsedAt })
      .from(authTokens)
      .where(eq(authTokens.kind, "api"));
    return c.json({ tokens: rows });
  })
  .post("/", validate("json", tokenBody), async (c) => {
    const { name, expiresInDays } = c.req.valid("json");
    const minted = await mintToken(c.var.db, c.var.user.id, "api", expiresInDays ? expiresInDays * 86_400_000 : null, name);
    return c.json({ id: minted.id, token: minted.token, name, expiresAt: minted.expiresAt }, 201);
  })
  .delete("/:id", async (c) => {
    const deleted = await c.var.db
      .delete(authTokens)
      .where(and(eq(authTokens.id, c.req.param("id")), eq(authTokens.kind, "api")))
      .returning({ hash: authTokens.tokenHash });
    if (deleted.length === 0) fail(404, "no such token");
    await closeFeedsOfTokens(
      c.env,
      deleted.map((d) => d.hash),
    );
    return c.json({ ok: true });
  });

export { requireAuth };
