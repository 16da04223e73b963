/**
 * The JSON Schema (input side) of a channel type's zod config schema, for the dashboard's forms
 * and the CLI (`GET /api/channels/types`, src/api/channels.ts).
 *
 * It calls the schema's own `toJSONSchema` method rather than `z.toJSONSchema`: both run the same
 * generator, but `z.toJSONSchema` also brings zod's table of every type's processor into the
 * Worker bundle (~0.8 KiB gzip), while each zod schema already carries its own processor. zod's
 * JSON Schema modules stay in the bundle either way: zod's schema classes import them.
 * A value that is not a zod 4 schema (a plugin built on zod 3) has no such method and throws, so
 * describeTypes reports the plugin instead of offering it; config-json-schema.test.ts holds the
 * output equal to `z.toJSONSchema` for every registered adapter.
 */
import type * as z from "zod";

export function configJsonSchema(schema: z.ZodType): z.core.JSONSchema.JSONSchema {
  return schema.toJSONSchema({ io: "input", unrepresentable: "any" });
}
