/** One readable line from a zod error: which field is wrong and why. */

/** Structural, so it accepts errors from zod's core and classic builds alike. */
export interface ZodLikeError {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

export function describeZodError(error: ZodLikeError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}
