/** drizzle over the D1 binding; one place so every caller gets the same schema. */
import { drizzle, type AnyD1Database } from "drizzle-orm/d1";
import { faultHookCompiledIn, withFaults } from "./fault-hook";
import * as schema from "./schema";

export type Db = ReturnType<typeof build>;

function build(d1: AnyD1Database) {
  // Only in a fault-suite build (see fault-hook.ts); everywhere else the binding is used as is.
  return drizzle(faultHookCompiledIn() ? withFaults(d1) : d1, { schema });
}

/** Building the handle walks the whole schema; one per binding per isolate is enough. */
const handles = new WeakMap<AnyD1Database, Db>();

/** Typed by drizzle's own alias, so Node-side code that imports the schema type-checks too. */
export function openDb(d1: AnyD1Database): Db {
  let db = handles.get(d1);
  if (!db) handles.set(d1, (db = build(d1)));
  return db;
}
