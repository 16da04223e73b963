/**
 * GET /api/channels/types describes config schemas through each schema's own `toJSONSchema`
 * method (config-json-schema.ts) so the Worker does not import `z.toJSONSchema`; this holds the
 * result to `z.toJSONSchema` (`io: "input"`, `unrepresentable: "any"`) for every channel type
 * the build registers, the example plugin, and one schema per zod type config schemas use.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import zulip from "../../examples/loopgate-channel-zulip/src/index";
import { builtInModules } from "../channels/registry.generated";
import type { ChannelAdapter } from "../channels/shared/types";
import { configJsonSchema } from "./config-json-schema";

const zodSays = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

const adapters = builtInModules.flatMap(({ exports }) => (Array.isArray(exports) ? exports : [exports]) as ChannelAdapter<unknown>[]);

describe("configJsonSchema", () => {
  it("finds the registered channel types", () => {
    expect(adapters.length).toBeGreaterThanOrEqual(18);
  });

  for (const adapter of [...adapters, zulip as ChannelAdapter<unknown>]) {
    it(`describes the ${adapter.type} config as zod does`, () => {
      const ours = configJsonSchema(adapter.configSchema);
      expect(ours).toEqual(zodSays(adapter.configSchema as z.ZodType));
      expect(Object.keys(ours.properties ?? {}).length).toBeGreaterThanOrEqual(adapter.type === "web" ? 0 : 1);
    });
  }

  const cases: Record<string, z.ZodType> = {
    "string checks": z.object({
      plain: z.string(),
      bounded: z.string().min(2).max(40).describe("a name"),
      exact: z.string().length(5),
      url: z.url(),
      urlMethod: z.string().url().optional(),
      email: z.email(),
      uuid: z.uuid(),
      regex: z.string().regex(/^[a-z]+$/),
      twoPatterns: z.string().regex(/^a/).regex(/b$/),
      startsWith: z.string().startsWith("xox"),
      datetime: z.iso.datetime(),
      localDatetime: z.iso.datetime({ local: true }),
      time: z.iso.time(),
      base64: z.base64(),
      trimmed: z.string().trim().toLowerCase(),
    }),
    "number checks": z.object({
      n: z.number(),
      int: z.number().int(),
      zint: z.int().positive(),
      range: z.number().min(1).max(10),
      exclusive: z.number().gt(0).lt(1),
      step: z.number().multipleOf(5),
      port: z.int().min(1).max(65535).default(6697),
    }),
    "enums and literals": z.object({
      mode: z.enum(["a", "b"]).default("a"),
      native: z.enum({ One: 1, Two: 2 }),
      one: z.literal("fixed"),
      many: z.literal(["x", "y"]),
      mixed: z.literal([1, "one"]),
      nil: z.literal(null),
      flag: z.boolean().default(false),
    }),
    wrappers: z.object({
      opt: z.string().optional(),
      described: z.string().optional().describe("outer"),
      innerDescribed: z.string().describe("inner").optional(),
      nullable: z.string().nullable(),
      nullableChecked: z.string().min(1).nullable().optional(),
      defaulted: z.array(z.string()).default([]),
      meta: z.string().meta({ title: "Token", examples: ["abc"] }),
      nonopt: z.string().optional().nonoptional(),
    }),
    "pipes and transforms": z.object({
      trimmed: z.string().transform((s) => s.trim()),
      transformedDefault: z
        .string()
        .transform((s) => s.length)
        .default(3),
      defaultThenTransform: z
        .string()
        .default("x")
        .transform((s) => s.length),
      preprocessed: z.preprocess((v) => String(v), z.string().min(1)),
      piped: z.string().pipe(z.string().min(3)),
      bare: z.transform((v) => v),
    }),
    "arrays, unions, records": z.object({
      list: z.array(z.string().min(1)).min(1).max(5),
      union: z.union([z.string(), z.number()]),
      richUnion: z.union([z.string().min(1), z.object({ id: z.string() })]),
      tagged: z.discriminatedUnion("kind", [z.object({ kind: z.literal("a") }), z.object({ kind: z.literal("b"), n: z.number() })]),
      map: z.record(z.string(), z.string()),
      keyed: z.record(z.enum(["x", "y"]), z.number()),
      partial: z.partialRecord(z.enum(["x", "y"]), z.number()),
      numeric: z.record(z.number(), z.string()),
      loose: z.looseRecord(z.string().regex(/^x-/), z.string()),
    }),
    objects: z.object({
      nested: z.object({ a: z.string() }).strict(),
      loose: z.looseObject({ a: z.string().optional() }),
      catchall: z.object({}).catchall(z.number()),
      refined: z.object({ a: z.string(), b: z.string() }).refine((v) => v.a !== v.b),
    }),
    "unrepresentable types become {}": z.object({ when: z.date(), big: z.bigint(), any: z.any(), set: z.set(z.string()), sym: z.symbol() }),
  };
  for (const [name, schema] of Object.entries(cases)) {
    it(`describes ${name} as zod does`, () => {
      expect(configJsonSchema(schema)).toEqual(zodSays(schema));
    });
  }

  it("throws where zod throws, so a plugin's unusable schema is reported", () => {
    const notZod4 = { safeParse: () => ({ success: true }) };
    expect(() => z.toJSONSchema(notZod4 as unknown as z.ZodType, { io: "input", unrepresentable: "any" })).toThrow();
    expect(() => configJsonSchema(notZod4 as unknown as z.ZodType)).toThrow();
    const badMeta = z.string().meta({ size: 10n as unknown as number });
    expect(() => zodSays(badMeta)).toThrow();
    expect(() => configJsonSchema(badMeta)).toThrow();
  });
});
