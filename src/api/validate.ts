/**
 * zod validation for JSON bodies, queries and params, with one error shape:
 * 400 `{error: "<field>: <what is wrong>"}`. Typed, so Hono's `hc` client sees the inputs.
 */
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type * as z from "zod";
import { describeZodError } from "../lib/zod-error";

export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result, c) => {
    if (!result.success) return c.json({ error: describeZodError(result.error) }, 400);
  });
}
