/**
 * Wraps a Worker's exports so its storage work is counted (see storage-counters.ts): the
 * default handler gets a counting env and answers `GET /api/__bench/counters`, and each Durable
 * Object class is subclassed so its storage counts and its env is the counting one. The bench generates an entry
 * that re-exports the real Worker through these two functions.
 */
import { COUNTERS_PATH, countingEnv, instrumentState, readCounters } from "./storage-counters";

type ObjectClass = new (ctx: DurableObjectState, env: object) => object;
type HandlerMethod = (event: unknown, env: object, ctx: unknown) => unknown;

export function countedClass(Base: ObjectClass): ObjectClass {
  return class extends Base {
    constructor(ctx: DurableObjectState, env: object) {
      instrumentState(ctx);
      super(ctx, countingEnv(env));
    }
  };
}

export function countedHandler(handler: object): Record<string, HandlerMethod> {
  const wrapped: Record<string, HandlerMethod> = {};
  for (const [name, value] of Object.entries(handler)) {
    if (typeof value !== "function") continue;
    const method = value as HandlerMethod;
    wrapped[name] = (event, env, ctx) => method(event, countingEnv(env), ctx);
  }
  const fetch = wrapped.fetch;
  wrapped.fetch = (request, env, ctx) => {
    if (new URL((request as Request).url).pathname === COUNTERS_PATH) return Response.json(readCounters());
    return fetch ? fetch(request, env, ctx) : new Response("no fetch handler", { status: 404 });
  };
  return wrapped;
}
