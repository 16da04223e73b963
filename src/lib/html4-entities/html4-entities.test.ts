/**
 * The Worker's smaller table of HTML entities for postal-mime (html-entities.ts) must give what
 * postal-mime's full table gives for every name it keeps, and keep what mail actually uses.
 */
import { describe, expect, it } from "vitest";
// postal-mime's own table, by file: the package exports only its parser.
import { htmlEntities as full } from "../../../node_modules/postal-mime/dist/esm/html-entities.js";
import { htmlEntities as lean } from "./html-entities";

describe("postal-mime's entity table in the Worker", () => {
  it("gives the standard's value for every entry it keeps", () => {
    const table = full as Record<string, string>;
    for (const [key, value] of Object.entries(lean)) expect([key, value]).toEqual([key, table[key]]);
  });

  it("keeps HTML 4's names and the legacy forms without a semicolon", () => {
    expect(Object.keys(lean).filter((k) => k.endsWith(";"))).toHaveLength(253 + 6);
    const legacy = Object.keys(full as Record<string, string>).filter((k) => !k.endsWith(";"));
    expect(legacy.filter((k) => !(k in lean))).toEqual([]);
    for (const key of ["&nbsp;", "&amp;", "&euro;", "&hellip;", "&rsquo;", "&eacute", "&copy;", "&trade;", "&rarr;"]) expect(lean[key]).toBeDefined();
  });
});
