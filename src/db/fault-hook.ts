/**
 * D1 fault injection for the fault suite (test/e2e/faults/): wraps the D1 binding so that the
 * next writes fail as a real outage would — an error at once, a timeout after a delay, or a
 * write that lands but whose answer is lost — to prove that no acknowledged message is lost or
 * answered twice when D1 misbehaves.
 *
 * It cannot be turned on in production. The switch is a build-time constant, not a setting:
 * `npm start` passes `--define LOOPGATE_FAULT_HOOK:true` to wrangler only when started with
 * LOOPGATE_TEST_FAULTS=1 on a loopback address (scripts/start.mjs); `wrangler deploy` and the
 * vitest pool never define it, and a Worker's settings are `env` bindings, never globals, so no
 * secret or variable can stand in for it. Without it `faultHookCompiledIn()` is false, openDb
 * returns the binding untouched and the `/api/__faults` control route does not exist.
 * (docs/reliability.md, "How faults are injected".)
 */
import type { AnyD1Database } from "drizzle-orm/d1";

declare const LOOPGATE_FAULT_HOOK: boolean | undefined;

/** True only in a build made with `--define LOOPGATE_FAULT_HOOK:true`. */
export function faultHookCompiledIn(): boolean {
  return typeof LOOPGATE_FAULT_HOOK !== "undefined" && LOOPGATE_FAULT_HOOK === true;
}

export type D1FaultMode = "error" | "timeout" | "lost-ack";

export interface D1FaultPlan {
  /** How many of the next matching writes fail (0: none). */
  writes: number;
  mode: D1FaultMode;
  /** How long a "timeout" hangs before it fails, ms. */
  delayMs: number;
  /** Only writes whose SQL mentions this table (quoted as drizzle quotes it); default every write. */
  table?: string;
}

export interface D1FaultState {
  plan: D1FaultPlan;
  /** Writes that failed because of the plan, by mode. */
  injected: Record<D1FaultMode, number>;
  /** Writes that went through the hook (with or without a fault). */
  writesSeen: number;
}

/**
 * One plan per isolate: under `npm start` the Worker and all its Durable Objects share one
 * workerd isolate, so the control route and the objects' writes see the same state.
 */
const state: D1FaultState = { plan: { writes: 0, mode: "error", delayMs: 0 }, injected: { error: 0, timeout: 0, "lost-ack": 0 }, writesSeen: 0 };

export function faultState(): D1FaultState {
  return structuredClone(state);
}

export function setFaultPlan(plan: D1FaultPlan): void {
  state.plan = { ...plan };
}

const WRITE = /^\s*(insert|update|delete|replace)\b/i;

function isWrite(sql: string): boolean {
  return WRITE.test(sql) || (/^\s*with\b/i.test(sql) && /\b(insert|update|delete)\b/i.test(sql));
}

/** Whether this write is to fail; counts it down when it is. */
function takeFault(sqls: string[]): D1FaultMode | null {
  const writes = sqls.filter(isWrite);
  if (writes.length === 0) return null;
  state.writesSeen++;
  const { plan } = state;
  if (plan.writes <= 0) return null;
  if (plan.table && !writes.some((s) => s.includes(`"${plan.table}"`) || s.includes(` ${plan.table} `) || s.includes(` ${plan.table}(`))) return null;
  plan.writes--;
  state.injected[plan.mode]++;
  return plan.mode;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `op` as the plan says: fail first, fail late, or succeed and then fail. */
async function faulty<T>(sqls: string[], op: () => Promise<T>): Promise<T> {
  const mode = takeFault(sqls);
  if (mode === null) return op();
  if (mode === "error") throw new Error("D1_ERROR: injected fault: database unavailable");
  if (mode === "timeout") {
    await wait(state.plan.delayMs);
    throw new Error("D1_ERROR: injected fault: query timed out");
  }
  await op();
  throw new Error("D1_ERROR: injected fault: the connection was lost before the answer");
}

/**
 * The parts of D1's statement and database this wrapper touches, declared here: the file is
 * also compiled where Workers' global types are absent (the CLI and the bridge import the schema).
 */
interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  first(column?: string): Promise<unknown>;
  run(): Promise<unknown>;
  all(): Promise<unknown>;
  raw(options?: { columnNames?: boolean }): Promise<unknown>;
}
interface D1Database {
  prepare(sql: string): D1PreparedStatement;
  batch(statements: D1PreparedStatement[]): Promise<unknown>;
  exec(sql: string): Promise<unknown>;
  dump(): Promise<ArrayBuffer>;
  withSession(constraint?: string): unknown;
}

const real = new WeakMap<object, D1PreparedStatement>();
const sqlOf = new WeakMap<object, string>();

function wrapStatement(stmt: D1PreparedStatement, sql: string): D1PreparedStatement {
  const wrapped = {
    bind: (...values: unknown[]) => wrapStatement(stmt.bind(...values), sql),
    first: (column?: string) => faulty([sql], () => (column === undefined ? stmt.first() : stmt.first(column))),
    run: () => faulty([sql], () => stmt.run()),
    all: () => faulty([sql], () => stmt.all()),
    raw: (options?: { columnNames?: boolean }) => faulty([sql], () => (options ? stmt.raw(options) : stmt.raw())),
  };
  real.set(wrapped, stmt);
  sqlOf.set(wrapped, sql);
  return wrapped;
}

/** The binding with every statement going through the plan. */
export function withFaults(d1: AnyD1Database): AnyD1Database {
  const db = d1 as unknown as D1Database;
  const wrapped = {
    prepare: (sql: string) => wrapStatement(db.prepare(sql), sql),
    batch: (stmts: D1PreparedStatement[]) =>
      faulty(
        stmts.map((s) => sqlOf.get(s) ?? ""),
        () => db.batch(stmts.map((s) => real.get(s) ?? s)),
      ),
    exec: (sql: string) => faulty([sql], () => db.exec(sql)),
    dump: () => db.dump(),
    withSession: (constraint?: string) => db.withSession(constraint),
  };
  return wrapped as unknown as AnyD1Database;
}
