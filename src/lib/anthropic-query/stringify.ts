/**
 * Stands in for the Anthropic SDK's vendored `qs` (`internal/qs/stringify.mjs`) in the Worker
 * bundle (see the `[alias]` in wrangler.toml). The SDK calls it in one way only,
 * `stringify(query, { arrayFormat: "brackets" })` (`internal/utils/query.mjs`), for the query of
 * list endpoints and form bodies, neither of which the gateway's Messages calls have. This is that
 * one mode of qs, without its other formats, charsets, filters and options (about 6 KiB
 * minified): keys in brackets for nested objects (`a[b]=1`), `[]` for array items (`a[]=1&a[]=2`),
 * `null` as an empty value, `undefined` left out, dates as ISO strings, keys and values
 * percent-encoded as RFC 3986 (everything but `A-Z a-z 0-9 - . _ ~`). `anthropic-query.test.ts`
 * holds it to the real module's output.
 */

function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function pairs(input: unknown, prefix: string, seen: Set<object>, out: string[]): void {
  if (input === undefined) return;
  const value = input instanceof Date ? input.toISOString() : input;
  if (value === null || typeof value !== "object") {
    out.push(`${encode(prefix)}=${encode(value === null ? "" : String(value))}`);
    return;
  }
  if (seen.has(value)) throw new RangeError("Cyclic object value");
  seen.add(value);
  if (Array.isArray(value)) for (const item of value) pairs(item, `${prefix}[]`, seen, out);
  else for (const [key, item] of Object.entries(value)) pairs(item, `${prefix}[${key}]`, seen, out);
  seen.delete(value);
}

/** `query` as the SDK's qs writes it with `arrayFormat: "brackets"`; the options are that one mode. */
export function stringify(query: unknown, _options?: { arrayFormat?: "brackets" }): string {
  if (typeof query !== "object" || query === null) return "";
  const out: string[] = [];
  const seen = new Set<object>([query]);
  for (const [key, value] of Object.entries(query)) pairs(value, key, seen, out);
  return out.join("&");
}
