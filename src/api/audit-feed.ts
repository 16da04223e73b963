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

/** After requireAuth: every successful change an admin makes goes to the feed. */
export function auditAdminActions(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS" || c.res.status >= 400) return;
    const path = new URL(c.req.url).pathname;
    if (NOT_ADMIN_ACTIONS.test(path)) return;
    const described = describeAdminAction(method, path);
    if (!described) return;
    const channelId = described.resource === "channels" && described.id ? decodeURIComponent(described.id) : undefined;
    const event = feedEvent("admin.action", channelId, undefined, { user: c.var.user.username, action: described.action, method, path });
    recordInBackground(c, event);
  };
}
