/** The Worker's stand-ins for drizzle's Postgres modules answer as the real ones do for D1's tables. */
import { entityKind, is, sql } from "drizzle-orm";
import { pgEnum } from "drizzle-orm/pg-core";
import { PrimaryKeyBuilder as RealPrimaryKeyBuilder } from "drizzle-orm/pg-core/primary-keys";
import { isPgEnum as realIsPgEnum } from "drizzle-orm/pg-core/columns/enum";
import { getTableConfig, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../db/schema";
import { isPgEnum } from "./pg-enum";
import { PrimaryKeyBuilder } from "./pg-primary-keys";

const composite = sqliteTable("pairs", { a: text("a"), b: integer("b") }, (t) => [primaryKey({ columns: [t.a, t.b] })]);

describe("drizzle's Postgres checks in a SQLite Worker", () => {
  it("has the real builder's entity kind, so is() means the same", () => {
    expect(PrimaryKeyBuilder[entityKind]).toBe(RealPrimaryKeyBuilder[entityKind]);
    const extra = getTableConfig(composite).primaryKeys;
    expect(extra.length).toBe(1);
  });

  it("no SQLite table, column or SQL chunk is a Postgres enum, for the real check or the stand-in", () => {
    const chunks: unknown[] = [sql`select 1`, composite, ...Object.values(composite)];
    for (const table of Object.values(schema)) {
      if (table && typeof table === "object") chunks.push(table, ...Object.values(table));
    }
    for (const chunk of chunks) {
      expect(realIsPgEnum(chunk)).toBe(false);
      expect(isPgEnum(chunk)).toBe(false);
    }
    // The real check does tell a Postgres enum apart; the Worker never builds one.
    expect(realIsPgEnum(pgEnum("mood", ["sad", "ok"]))).toBe(true);
  });

  it("a SQLite composite key is not a Postgres builder, for the real class or the stand-in", () => {
    const builder = primaryKey({ columns: [composite.a, composite.b] });
    expect(is(builder, RealPrimaryKeyBuilder)).toBe(false);
    expect(is(builder, PrimaryKeyBuilder)).toBe(false);
  });
});
