/**
 * What someone debugging an integration looks for in the activity feed, besides messages: the
 * admin's own changes (a channel created, a job paused...) and webhooks the gateway refused (a
 * bad signature, a wrong secret). Both are recorded as feed events (D1 `events`, and the live
 * feed while a dashboard watches) after the response is sent, so they never slow it down.
 * Refusals are throttled (./audit-words.ts): a flood of forged requests must not become a flood
 * of writes.
 */
import type { MiddlewareHandler } from "hono";
import { eventStatement, feedEvent, type FeedEvent } from "../db/feed-events";
import { answeredThing, dashboardHref, hasNames, storedName } from "./audit-names";
import { describeAdminAction } from "./audit-words";
import type { Db } from "../db/client";
import { publishIfWatched } from "../pipeline/live-feed-gate";
import type { AppEnv } from "./context";

async function record(env: Env, db: Db, event: FeedEvent): Promise<void> {
  try {
    await db.batch([eventStatement(db, event)]);
    await publishIfWatched(env, [event]);
  } catch (err) {
    console.warn(JSON.stringify({ msg: "could not record feed event", kind: event.kind, error: String(err) }));
  }
}

export function recordInBackground(c: { env: Env; var: { db: Db }; executionCtx: { waitUntil(p: Promise<unknown>): void } }, event: FeedEvent): void {
  c.executionCtx.waitUntil(record(c.env, c.var.db, event));
}

/** Paths that are not changes to the gateway's setup: chatting in the playground, logging out, a restore's many row uploads. */
const NOT_ADMIN_ACTIONS = /^\/api\/(chat|live|backup|auth\/(logout|login|refresh))(\/|$)/;

/** After requireAuth: every successful change an admin makes goes to the feed, naming what changed and linking to it. */
export function auditAdminActions(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method;
    const path = new URL(c.req.url).pathname;
    const first = method === "GET" || method === "HEAD" || method === "OPTIONS" || NOT_ADMIN_ACTIONS.test(path) ? null : describeAdminAction(method, path);
    const id = first?.id ? decodeURIComponent(first.id) : undefined;
    const named = first !== null && hasNames(first.resource);
    // Read before the change: afterwards a deleted thing has no name, and a renamed one another.
    const before = named && id ? await storedName(c.var.db, first.resource, id).catch(() => null) : null;
    await next();
    if (!first || c.res.status >= 400) return;
    // A creation or an update answers with the thing itself: its id and (new) name.
    const answer = named && (method !== "DELETE" || !id) ? c.res.clone() : null;
    c.executionCtx.waitUntil(
      (async () => {
        const answered = answer ? await answeredThing(answer) : null;
        const targetId = id ?? answered?.id;
        const after = answered?.name ?? null;
        const described = describeAdminAction(method, path, { before, after }) ?? first;
        const channelId = described.resource === "channels" ? targetId : undefined;
        const href = targetId && method !== "DELETE" ? dashboardHref(described.resource, targetId) : null;
        const detail = {
          user: c.var.user.username,
          action: described.action,
          method,
          path,
          ...(targetId ? { resource: described.resource, targetId, targetName: after ?? before } : {}),
          ...(href ? { href } : {}),
        };
        await record(c.env, c.var.db, feedEvent("admin.action", channelId, undefined, detail));
      })(),
    );
  };
}
