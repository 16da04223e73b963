/**
 * Daily budgets, counted from the api_calls rows of the current UTC day: per sender, tokens
 * (uncached input + cache writes + output; cache reads are covered by the cost cap) and cost;
 * for the whole gateway, cost. Scheduled jobs and loop tasks write their calls to api_calls
 * too (src/scheduler/usage-attribution.ts), so these rows are the one source of truth and no
 * spend is counted twice. A check reads the day's running totals (`spend_daily`, kept by a
 * trigger on api_calls), two rows by key, so it costs the same however many calls the day
 * holds. A cap of 0 is off. Jobs and loop tasks check `accountBudget` before
 * each run or iteration; a job the agent created for a sender checks `checkBudget` for that
 * sender, whose caps count its runs too (src/scheduler/budget-gate.ts).
 */
import { and, eq } from "drizzle-orm";
import { unionAll } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { spendDaily } from "../db/schema";
import { sessionId } from "../objects/session-id";

export interface BudgetLimits {
  SENDER_DAILY_TOKEN_LIMIT: number;
  SENDER_DAILY_COST_LIMIT_USD: number;
  ACCOUNT_DAILY_COST_LIMIT_USD: number;
}

export type BudgetScope = "sender_tokens" | "sender_cost" | "account_cost";

export type BudgetVerdict = { ok: true } | { ok: false; scope: BudgetScope; used: number; limit: number; resetsAt: number };

const DAY_MS = 24 * 60 * 60_000;

export function utcDayStart(now: number): number {
  return now - (now % DAY_MS);
}

const ACCOUNT_SCOPE = "account";

/** USD the gateway spent since the start of the current UTC day: conversations, job runs and loop iterations alike. */
export async function accountSpendToday(db: Db, now: number): Promise<number> {
  const row = await db
    .select({ cost: spendDaily.costUsd })
    .from(spendDaily)
    .where(and(eq(spendDaily.day, utcDayStart(now)), eq(spendDaily.scope, ACCOUNT_SCOPE)))
    .get();
  return Number(row?.cost ?? 0);
}

export async function accountBudget(db: Db, limits: BudgetLimits, now: number): Promise<BudgetVerdict> {
  if (!limits.ACCOUNT_DAILY_COST_LIMIT_USD) return { ok: true };
  const day = utcDayStart(now);
  const used = await accountSpendToday(db, now);
  return used >= limits.ACCOUNT_DAILY_COST_LIMIT_USD
    ? { ok: false, scope: "account_cost", used, limit: limits.ACCOUNT_DAILY_COST_LIMIT_USD, resetsAt: day + DAY_MS }
    : { ok: true };
}

/** The day's totals of the gateway and of one sender (`scope`): two point lookups, two rows read. */
export function budgetTotalsQuery(db: Db, day: number, scope: string) {
  const totals = (key: string) =>
    db
      .select({ scope: spendDaily.scope, tokens: spendDaily.tokens, cost: spendDaily.costUsd })
      .from(spendDaily)
      .where(and(eq(spendDaily.day, day), eq(spendDaily.scope, key)));
  return unionAll(totals(ACCOUNT_SCOPE), totals(scope));
}

/**
 * One D1 query reading two rows: today's totals of the gateway and of this sender. Two point
 * lookups joined with UNION ALL rather than `scope IN (...)`, which SQLite answers by stepping
 * through the day's keys between the two (D1 bills 3 to 4 rows read for it, 2 this way).
 */
export async function checkBudget(db: Db, limits: BudgetLimits, channelId: string, senderId: string, now: number): Promise<BudgetVerdict> {
  const day = utcDayStart(now);
  const resetsAt = day + DAY_MS;
  const mine = sessionId(channelId, senderId);
  const rows = await budgetTotalsQuery(db, day, mine).all();
  const sender = rows.find((r) => r.scope === mine);
  const senderTokens = Number(sender?.tokens ?? 0);
  const senderCost = Number(sender?.cost ?? 0);
  const accountCost = Number(rows.find((r) => r.scope === ACCOUNT_SCOPE)?.cost ?? 0);
  if (limits.SENDER_DAILY_TOKEN_LIMIT && senderTokens >= limits.SENDER_DAILY_TOKEN_LIMIT)
    return { ok: false, scope: "sender_tokens", used: senderTokens, limit: limits.SENDER_DAILY_TOKEN_LIMIT, resetsAt };
  if (limits.SENDER_DAILY_COST_LIMIT_USD && senderCost >= limits.SENDER_DAILY_COST_LIMIT_USD)
    return { ok: false, scope: "sender_cost", used: senderCost, limit: limits.SENDER_DAILY_COST_LIMIT_USD, resetsAt };
  if (limits.ACCOUNT_DAILY_COST_LIMIT_USD && accountCost >= limits.ACCOUNT_DAILY_COST_LIMIT_USD)
    return { ok: false, scope: "account_cost", used: accountCost, limit: limits.ACCOUNT_DAILY_COST_LIMIT_USD, resetsAt };
  return { ok: true };
}

/** What the sender is told: polite, and when it will work again. */
export function budgetReply(scope: BudgetScope): string {
  return scope === "account_cost"
    ? "Sorry, the assistant has reached its usage limit for today and is paused until midnight UTC. Please try again then."
    : "You've reached today's usage limit for this assistant. It resets at midnight UTC; please come back then. Thank you for understanding!";
}
