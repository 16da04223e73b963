/**
 * Cloudflare Pages (advanced mode): when the dashboard is published on its own Pages project,
 * this forwards the gateway's paths (REST, the live feed's WebSocket, webhooks) to the Worker
 * named by the LOOPGATE_API_URL variable, so the dashboard still talks to its own origin (no CORS,
 * same token handling) and everything else is the static app. The Worker's own asset serving
 * never uploads this file (see .assetsignore). Set the variable with
 * `wrangler pages secret put LOOPGATE_API_URL --project-name loopgate-dashboard`.
 */
const GATEWAY_PATHS = /^\/(api|hooks|bridge)(\/|$)/;

/**
 * The dashboard's security headers, the same as in _headers (test/unit/dashboard-headers.test.ts
 * keeps them equal): set here too because Pages does not promise to apply _headers to what a
 * _worker.js returns. The gateway's own answers carry the Worker's headers already.
 */
export const DASHBOARD_SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  "Strict-Transport-Security": "max-age=31536000",
};

/** @param {Response} res */
function withSecurityHeaders(res) {
  const out = new Response(res.body, res);
  for (const [name, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) out.headers.set(name, value);
  return out;
}

export default {
  /**
   * @param {Request} request
   * @param {{ ASSETS: { fetch: (r: Request) => Promise<Response> }, LOOPGATE_API_URL?: string }} env
   */
  async fetch(request, env) {
    const url = new URL(request.url);
    if (!GATEWAY_PATHS.test(url.pathname)) return withSecurityHeaders(await env.ASSETS.fetch(request));
    if (!env.LOOPGATE_API_URL) {
      return Response.json({ error: "LOOPGATE_API_URL is not set on this Pages project: set it to the gateway Worker's URL" }, { status: 502 });
    }
    const target = new URL(url.pathname + url.search, env.LOOPGATE_API_URL);
    return fetch(new Request(target, request));
  },
};
