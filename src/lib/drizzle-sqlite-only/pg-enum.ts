/**
 * Stands in for drizzle-orm's `pg-core/columns/enum.js` in the Worker bundle (see the `[alias]` in
 * wrangler.toml). drizzle's SQL builder (`sql/sql.js`), shared by every dialect, asks of each
 * chunk whether it is a Postgres enum, which pulls Postgres' column classes into a SQLite-only
 * Worker (about 6 KiB minified with primary-keys.ts beside this). Loopgate's tables are D1's
 * (drizzle-orm/sqlite-core): no Postgres enum is ever built, so the answer is always no.
 */
export function isPgEnum(_chunk: unknown): false {
  return false;
}
