/**
 * Stands in for drizzle-orm's `pg-core/primary-keys.js` in the Worker bundle (see pg-enum.ts
 * beside this). drizzle's relational query setup (`relations.js`) tests each table's extra config
 * against Postgres' composite primary-key builder with `is()`, which matches by the class's
 * entity kind; SQLite's builder has its own kind, so for D1's tables the test is always false,
 * as it is with this class of the same kind.
 */
import { entityKind } from "drizzle-orm";

export class PrimaryKeyBuilder {
  static readonly [entityKind] = "PgPrimaryKeyBuilder";
  readonly columns: unknown[] = [];
}
