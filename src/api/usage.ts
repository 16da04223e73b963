/**
 * Usage and cost analytics over the api_calls rows (one per model request), with the count of
 * answered messages (runs) beside them:
 * `GET /api/usage` totals, `/daily`, `/models`, `/channels`, `/senders`, `/cache` (what prompt
 * caching saved) and `/calls` (recent calls). All accept `from`/`to` (unix ms or an ISO date)
 * and `channelId`/`senderId` filters; money is USD, estimated from src/agent/prices.json.
 * Attachments' storage and transcription are in `media` and `/media` (usage-media.ts).
 */
import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { accountBudget, accountSpendToday, utcDayStart } from "../agent/budget";
import { apiCalls, runs } from "../db/schema";
import { ECHO_MODEL } from "../agent/echo";
import type { AppEnv } from "./context";
import { mediaTotals } from "./usage-media";
import { validate } from "./validate";

const instant = z
  .union([z.coerce.number().int().min(0), z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)));
const range = { from: instant.optional(), to: instant.optional(), channelId: z.string().min(1).optional(), senderId: z.string().min(1).optional() };
const rangeQuery = z.object(range);
type Range = z.infer<typeof rangeQuery>;

function where(q: Range, extra?: SQL): SQL | undefined {
  const parts = [
    q.from !== undefined ? gte(apiCalls.createdAt, q.from) : undefined,
    q.to !== undefined ? lt(apiCalls.createdAt, q.to) : undefined,
    q.channelId ? eq(apiCalls.channelId, q.channelId) : undefined,
    q.senderId ? eq(apiCalls.senderId, q.senderId) : undefined,
    extra,
  ].filter((p): p is SQL => p !== undefined);
  return parts.length ? and(...parts) : undefined;
}

/**
 * A run's calls. Every call's id starts with its run's id and a colon (src/agent/call-rows.ts),
 * so the primary key finds them as a key range (":" + 1 is ";"); api_calls has no index on
 * run_id, which every call written would pay for. The run_id test keeps the answer exact.
 */
export function ofRun(runId: string): SQL | undefined {
  return and(gte(apiCalls.id, `${runId}:`), lt(apiCalls.id, `${runId};`), eq(apiCalls.runId, runId));
}

const n = (expr: SQL) => sql<number>`coalesce(${expr}, 0)`.mapWith(Number);
const totals = {
  calls: n(sql`count(*)`),
  errors: n(sql`sum(case when ${apiCalls.status} = 'error' then 1 else 0 end)`),
  runs: n(sql`count(distinct ${apiCalls.runId})`),
  inputTokens: n(sql`sum(${apiCalls.inputTokens})`),
  outputTokens: n(sql`sum(${apiCalls.outputTokens})`),
  cacheWriteTokens: n(sql`sum(${apiCalls.cacheWriteTokens})`),
  cacheReadTokens: n(sql`sum(${apiCalls.cacheReadTokens})`),
  costUsd: n(sql`sum(${apiCalls.costUsd})`),
  cacheSavingsUsd: n(sql`sum(${apiCalls.cacheSavingsUsd})`),
  avgLatencyMs: n(sql`round(avg(${apiCalls.latencyMs}))`),
  webSearchRequests: n(sql`sum(${apiCalls.webSearchRequests})`),
  webFetchRequests: n(sql`sum(${apiCalls.webFetchRequests})`),
  codeExecutionRequests: n(sql`sum(${apiCalls.codeExecutionRequests})`),
};

/** Share of prompt tokens served from the cache. */
function hitRatio(t: { inputTokens: number; cacheWriteTokens: number; cacheReadTokens: number }): number {
  const prompt = t.inputTokens + t.cacheWriteTokens + t.cacheReadTokens;
  return prompt ? Math.round((t.cacheReadTokens / prompt) * 10_000) / 10_000 : 0;
}

interface CacheFigures {
  inputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  cacheSavingsUsd: number;
  costUsd: number;
}

/**
 * The agent's answers in the range, from the runs (one per message answered), whether or not a
 * model was called: the offline echo answers without one, and Usage must still agree with the
 * replies Conversations shows.
 */
function answered(q: Range) {
  const parts = [
    q.from !== undefined ? gte(runs.createdAt, q.from) : undefined,
    q.to !== undefined ? lt(runs.createdAt, q.to) : undefined,
    q.channelId ? eq(runs.channelId, q.channelId) : undefined,
    q.senderId ? eq(runs.senderId, q.senderId) : undefined,
  ].filter((p): p is SQL => p !== undefined);
  return { where: parts.length ? and(...parts) : undefined };
}

const day = sql<string>`strftime('%Y-%m-%d', ${apiCalls.createdAt} / 1000, 'unixepoch')`;
const DEFAULT_DAILY_DAYS = 30;

export const usageRoutes = new Hono<AppEnv>()
  .get("/", validate("query", rangeQuery), async (c) => {
    const q = c.req.valid("query");
    const now = Date.now();
    const [t, r] = await Promise.all([
      c.var.db.select(totals).from(apiCalls).where(where(q)).get(),
      c.var.db
        .select({ replies: n(sql`count(*)`), echoReplies: n(sql`sum(case when ${runs.model} = ${ECHO_MODEL} then 1 else 0 end)`) })
        .from(runs)
        .where(answered(q).where)
        .get(),
    ]);
    const cfg = c.var.config;
    return c.json({
      range: { from: q.from ?? null, to: q.to ?? null },
      totals: { ...t, cacheHitRatio: t ? hitRatio(t) : 0 },
      /** Messages the agent answered (runs), and how many of them the offline echo answered without a model. */
      replies: { total: r?.replies ?? 0, offlineEcho: r?.echoReplies ?? 0 },
      budgets: {
        senderDailyTokenLimit: cfg.SENDER_DAILY_TOKEN_LIMIT,
        senderDailyCostLimitUsd: cfg.SENDER_DAILY_COST_LIMIT_USD,
        accountDailyCostLimitUsd: cfg.ACCOUNT_DAILY_COST_LIMIT_USD,
        accountCostTodayUsd: await accountSpendToday(c.var.db, now),
        accountPaused: !(await accountBudget(c.var.db, cfg, now)).ok,
      },
      // Attachments: bytes kept in R2 and voice-note transcription (usage-media.ts); not counted in the model's cost above.
      media: await mediaTotals(c.var.db, q),
    });
  })
  .get("/daily", validate("query", rangeQuery), async (c) => {
    const q = c.req.valid("query");
    const from = q.from ?? utcDayStart(Date.now()) - (DEFAULT_DAILY_DAYS - 1) * 86_400_000;
    const rows = await c.var.db
      .select({ day, ...totals })
      .from(apiCalls)
      .where(where({ ...q, from }))
      .groupBy(day)
      .orderBy(day);
    return c.json({ days: rows });
  })
  .get("/models", validate("query", rangeQuery), async (c) => {
    const rows = await c.var.db
      .select({ model: apiCalls.model, ...totals })
      .from(apiCalls)
      .where(where(c.req.valid("query")))
      .groupBy(apiCalls.model)
      .orderBy(desc(totals.costUsd));
    return c.json({ models: rows });
  })
  .get("/channels", validate("query", rangeQuery), async (c) => {
    const rows = await c.var.db
      .select({ channelId: apiCalls.channelId, ...totals })
      .from(apiCalls)
      .where(where(c.req.valid("query")))
      .groupBy(apiCalls.channelId)
      .orderBy(desc(totals.costUsd));
    return c.json({ channels: rows });
  })
  .get("/senders", validate("query", rangeQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(100) })), async (c) => {
    const q = c.req.valid("query");
    const rows = await c.var.db
      .select({ channelId: apiCalls.channelId, senderId: apiCalls.senderId, ...totals })
      .from(apiCalls)
      .where(where(q))
      .groupBy(apiCalls.channelId, apiCalls.senderId)
      .orderBy(desc(totals.costUsd))
      .limit(q.limit);
    return c.json({ senders: rows });
  })
  .get("/cache", validate("query", rangeQuery), async (c) => {
    const q = c.req.valid("query");
    const t = await c.var.db.select(totals).from(apiCalls).where(where(q)).get();
    const byModel = await c.var.db
      .select({ model: apiCalls.model, ...totals })
      .from(apiCalls)
      .where(where(q))
      .groupBy(apiCalls.model);
    const view = (r: CacheFigures) => ({
      uncachedInputTokens: r.inputTokens,
      cacheWriteTokens: r.cacheWriteTokens,
      cacheReadTokens: r.cacheReadTokens,
      hitRatio: hitRatio(r),
      savedUsd: r.cacheSavingsUsd,
      costUsd: r.costUsd,
      costWithoutCacheUsd: r.costUsd + r.cacheSavingsUsd,
    });
    return c.json({
      ...(t ? view(t) : view({ inputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, cacheSavingsUsd: 0, costUsd: 0 })),
      models: byModel.map((r) => ({ model: r.model, ...view(r) })),
    });
  })
  .get(
    "/calls",
    validate(
      "query",
      rangeQuery.extend({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        before: z.coerce.number().int().optional(),
        runId: z.string().min(1).optional(),
      }),
    ),
    async (c) => {
      const q = c.req.valid("query");
      const extra = and(q.before !== undefined ? lt(apiCalls.createdAt, q.before) : undefined, q.runId ? ofRun(q.runId) : undefined);
      const rows = await c.var.db.select().from(apiCalls).where(where(q, extra)).orderBy(desc(apiCalls.createdAt), desc(apiCalls.id)).limit(q.limit);
      return c.json({ calls: rows });
    },
  );
