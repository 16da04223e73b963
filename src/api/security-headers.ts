/**
 * Security headers on every answer of the Worker's own paths (/api, /hooks, /bridge): nothing
 * it returns is a page, so the CSP allows nothing, no page may frame it, browsers must not
 * sniff a JSON answer into HTML, no referrer leaves, and https is pinned once seen. The
 * dashboard's own files get theirs from dashboard/public/_headers (Workers static assets and
 * Pages both read it).
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

/** One year: the usual HSTS lifetime; subdomains are left alone, they may not be ours. */
export const HSTS = "max-age=31536000";

export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function securityHeaders(c, next) {
    await next();
    // A WebSocket handshake's headers belong to the socket; the feed sends no content to protect.
    if (c.res.status === 101) return;
    const headers: Record<string, string> = { ...API_SECURITY_HEADERS };
    if (new URL(c.req.url).protocol === "https:") headers["Strict-Transport-Security"] = HSTS;
    try {
      for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
    } catch {
      // A response passed through from a Durable Object can have immutable headers: copy it once.
      c.res = new Response(c.res.body, c.res);
      for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
    }
  };
}
