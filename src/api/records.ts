/** Read-only views across senders: runs, messages, sessions and the event log behind the live feed. */
import { and, desc, eq, gt, lt, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { events, messages, runs, sessions } from "../db/schema";
import type { AppEnv } from "./context";
import { mediaForMessages } from "./media";
import { validate } from "./validate";

const limit = z.coerce.number().int().min(1).max(500).default(50);

function all(...conditions: (SQL | undefined)[]): SQL | undefined {
  const present = conditions.filter((x): x is SQL => x !== undefined);
  return present.length ? and(...present) : undefined;
}

export const recordRoutes = new Hono<AppEnv>()
  .get(
    "/runs",
    validate(
      "query",
      z.object({
        limit,
        channelId: z.string().optional(),
        status: z.enum(["ok", "failed"]).optional(),
        deliveryStatus: z.enum(["pending", "sent", "failed"]).optional(),
      }),
    ),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await c.var.db
        .select()
        .from(runs)
        .where(
          all(
            q.channelId ? eq(runs.channelId, q.channelId) : undefined,
            q.status ? eq(runs.status, q.status) : undefined,
            q.deliveryStatus ? eq(runs.deliveryStatus, q.deliveryStatus) : undefined,
          ),
        )
        .orderBy(desc(runs.createdAt))
        .limit(q.limit);
      return c.json({ runs: rows });
    },
  )
  .get(
    "/messages",
    validate("query", z.object({ limit, channelId: z.string().optional(), senderId: z.string().optional(), before: z.coerce.number().optional() })),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await c.var.db
        .select()
        .from(messages)
        .where(
          all(
            q.channelId ? eq(messages.channelId, q.channelId) : undefined,
            q.senderId ? eq(messages.senderId, q.senderId) : undefined,
            q.before ? lt(messages.createdAt, q.before) : undefined,
          ),
        )
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(q.limit);
      // Files and transcripts of the inbound messages on the page, in one query.
      const media = await mediaForMessages(
        c.var.db,
        rows.filter((m) => m.direction === "in").map((m) => m.id),
      );
      return c.json({ messages: rows.map((m) => ({ ...m, media: media.get(m.id) ?? [] })) });
    },
  )
  .get(
    "/sessions",
    validate("query", z.object({ limit, status: z.enum(["active", "stale", "cleaned"]).optional(), channelId: z.string().optional() })),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await c.var.db
        .select()
        .from(sessions)
        .where(all(q.status ? eq(sessions.status, q.status) : undefined, q.channelId ? eq(sessions.channelId, q.channelId) : undefined))
        .orderBy(desc(sessions.lastActivityAt))
        .limit(q.limit);
      return c.json({ sessions: rows });
    },
  )
  // Newest first; `after` and `before` bound the ids, so a client that was away pages back from the newest to what it has.
  .get(
    "/events",
    validate(
      "query",
      z.object({ limit, after: z.string().optional(), before: z.string().optional(), kind: z.string().optional(), channelId: z.string().optional() }),
    ),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await c.var.db
        .select()
        .from(events)
        .where(
          all(
            q.after ? gt(events.id, q.after) : undefined,
            q.before ? lt(events.id, q.before) : undefined,
            q.kind ? eq(events.kind, q.kind) : undefined,
            q.channelId ? eq(events.channelId, q.channelId) : undefined,
          ),
        )
        .orderBy(desc(events.id))
        .limit(q.limit);
      return c.json({ events: rows.map((e) => ({ ...e, detail: JSON.parse(e.detail) as Record<string, unknown> })) });
    },
  );
