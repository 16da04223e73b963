/**
 * The API's one error path: routes throw HTTPException (or anything else), and this turns it
 * into `{error}` with the right status. Unexpected errors are logged and answered with 500
 * without internals.
 */
import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ChannelPluginError } from "../channels/plugin-guard";
import { MissingMasterKeyError } from "../channels/shared/config-codec";
import { createLogger } from "../lib/log";

const log = createLogger("api");
import { UnknownSealingKeyError } from "../crypto/keyring";

export function fail(status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 500 | 503, message: string, headers?: Record<string, string>): never {
  throw new HTTPException(status, { message, res: headers ? new Response(null, { headers }) : undefined });
}

export const onError: ErrorHandler = (err, c) => {
  if (err instanceof HTTPException) {
    const headers = err.res ? Object.fromEntries(err.res.headers) : {};
    return c.json({ error: err.message }, err.status, headers);
  }
  // A broken channel plugin (src/channels/plugin-guard.ts): its message names the package, nothing internal.
  if (err instanceof ChannelPluginError) return c.json({ error: err.message }, 500);
  if (err instanceof MissingMasterKeyError || err instanceof UnknownSealingKeyError) return c.json({ error: err.message }, 503);
  if (err instanceof SyntaxError) return c.json({ error: `malformed JSON body: ${err.message}` }, 400);
  log.error("unhandled API error", { path: c.req.path, error: String(err), stack: err instanceof Error ? err.stack : undefined });
  return c.json({ error: "internal error" }, 500);
};
