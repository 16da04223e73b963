/**
 * Every /api/* route but health, auth status, setup and login needs `Authorization: Bearer`.
 * The live feed's WebSocket may pass the token as `?token=` instead, since browsers cannot
 * set headers on a WebSocket.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { userForToken } from "./auth-tokens";

export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async function requireAuth(c, next) {
    const header = c.req.header("authorization");
    const fromHeader = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const fromQuery = c.req.path === "/api/live" ? c.req.query("token") : undefined;
    const token = fromHeader ?? fromQuery;
    if (!token) fail(401, "missing Authorization: Bearer <token> header; log in with POST /api/auth/login");
    const user = await userForToken(c.var.db, token);
    if (!user) fail(401, "invalid or expired token; log in again");
    c.set("user", { id: user.id, username: user.username });
    await next();
  };
}
