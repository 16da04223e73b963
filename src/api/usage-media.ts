/**
 * What attachments cost (docs/media.md): bytes kept in R2 and voice-note transcription, from
 * the media_files rows. `mediaTotals` is the `media` part of `GET /api/usage`;
 * `GET /api/usage/media` gives the same figures per UTC day. Money is USD: transcription as
 * each row recorded it, R2 at its published Standard-storage prices.
 */
import { and, gte, isNull, lt, sql, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { utcDayStart } from "../agent/budget";
import type { Db } from "../db/client";
import { mediaFiles } from "../db/schema";
import type { AppEnv } from "./context";
import { validate } from "./validate";

/** R2 Standard: $0.015 per GB-month stored, $4.50 per million Class A operations (one PutObject per file). */
export const R2_USD_PER_GB_MONTH = 0.015;
export const R2_USD_PER_PUT = 4.5 / 1_000_000;

const instant = z
  .union([z.coerce.number().int().min(0), z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)));
const rangeQuery = z.object({ from: instant.optional(), to: instant.optional() });

const n = (expr: SQL) => sql<number>`coalesce(${expr}, 0)`.mapWith(Number);
const stored = sql`${mediaFiles.r2Key} is not null`;
const figures = {
  files: n(sql`count(*)`),
  storedFiles: n(sql`sum(case when ${stored} then 1 else 0 end)`),
  storedBytes: n(sql`sum(case when ${stored} then ${mediaFiles.sizeBytes} else 0 end)`),
  refusedFiles: n(sql`sum(case when ${mediaFiles.status} = 'refused' then 1 else 0 end)`),
  transcriptions: n(sql`sum(case when ${mediaFiles.transcript} is not null then 1 else 0 end)`),
  transcriptionSeconds: n(sql`sum(${mediaFiles.transcriptionSeconds})`),
  transcriptionCostUsd: n(sql`sum(${mediaFiles.transcriptionCostUsd})`),
};
const day = sql<string>`strftime('%Y-%m-%d', ${mediaFiles.createdAt} / 1000, 'unixepoch')`;

function inRange(q: { from?: number; to?: number }): SQL | undefined {
  const parts = [q.from !== undefined ? gte(mediaFiles.createdAt, q.from) : undefined, q.to !== undefined ? lt(mediaFiles.createdAt, q.to) : undefined].filter(
    (p): p is SQL => p !== undefined,
  );
  return parts.length ? and(...parts) : undefined;
}

type Figures = { [K in keyof typeof figures]: number };

/** The writes' cost; what is stored now costs `storageUsdPerMonth` for every month it stays. */
function withCost(f: Figures) {
  return { ...f, r2WriteCostUsd: f.storedFiles * R2_USD_PER_PUT };
}

export async function mediaTotals(db: Db, q: { from?: number; to?: number }) {
  const t = (await db.select(figures).from(mediaFiles).where(inRange(q)).get()) ?? Object.fromEntries(Object.keys(figures).map((k) => [k, 0]));
  const kept = await db
    .select({ bytes: n(sql`sum(${mediaFiles.sizeBytes})`) })
    .from(mediaFiles)
    .where(and(sql`${mediaFiles.r2Key} is not null`, isNull(mediaFiles.deletedAt)))
    .get();
  const bytesInR2 = kept?.bytes ?? 0;
  return { ...withCost(t as Figures), bytesInR2Now: bytesInR2, r2StorageUsdPerMonth: (bytesInR2 / 1e9) * R2_USD_PER_GB_MONTH };
}

const DEFAULT_DAYS = 30;

export const usageMediaRoutes = new Hono<AppEnv>().get("/", validate("query", rangeQuery), async (c) => {
  const q = c.req.valid("query");
  const from = q.from ?? utcDayStart(Date.now()) - (DEFAULT_DAYS - 1) * 86_400_000;
  const rows = await c.var.db
    .select({ day, ...figures })
    .from(mediaFiles)
    .where(inRange({ ...q, from }))
    .groupBy(day)
    .orderBy(day);
  return c.json({ days: rows.map((r) => ({ ...withCost(r), day: r.day })), totals: await mediaTotals(c.var.db, { ...q, from }) });
});
