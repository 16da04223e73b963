/**
 * Caps request bodies on /api: a body over API_MAX_BODY_BYTES is answered 413 as soon as its
 * Content-Length (or, when chunked, its running size) says so, before anything buffers or
 * parses it. Login and setup are unauthenticated, so this is what stops a stranger from making
 * the Worker hold and parse 50 MB of JSON.
 */
import { bodyLimit } from "hono/body-limit";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";
import { fail } from "./errors";

export function apiBodyLimit(): MiddlewareHandler<AppEnv> {
  return async function apiBodyLimit(c, next) {
    const maxSize = c.var.config.API_MAX_BODY_BYTES;
    return bodyLimit({ maxSize, onError: () => fail(413, `request body too large: the API accepts at most ${maxSize} bytes`) })(c, next);
  };
}
