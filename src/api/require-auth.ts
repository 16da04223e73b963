/**
 * Every /api/* route but health, auth status, setup and login needs `Authorization: Bearer`.
 * Browsers cannot set headers on a WebSocket, so the live feed also accepts the token as a
 * `Sec-WebSocket-Protocol` entry `loopgate.bearer.<token>` — never in the URL, which access
 * logs keep.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { userForToken } from "./auth-tokens";

export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async function requireAuth(c, next) {
    const header = c.req.header("authorization");
    const fromHeader = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const token = fromHeader ?? (c.req.path === "/api/live" ? tokenFromSubprotocol(c.req.header("sec-websocket-protocol")) : undefined);
    if (!token) fail(401, "missing Authorization: Bearer <token> header; log in with POST /api/auth/login");
    const user = await userForToken(c.var.db, token);
    if (!user) fail(401, "invalid or expired token; log in again");
    c.set("user", { id: user.id, username: user.username });
    c.set("credential", user.token);
    await next();
  };
}

export const LIVE_FEED_PROTOCOL = "loopgate";
const BEARER_PROTOCOL_PREFIX = `${LIVE_FEED_PROTOCOL}.bearer.`;

function tokenFromSubprotocol(header: string | undefined): string | undefined {
  const entry = header
    ?.split(",")
    .map((p) => p.trim())
    .find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  return entry?.slice(BEARER_PROTOCOL_PREFIX.length) || undefined;
}
