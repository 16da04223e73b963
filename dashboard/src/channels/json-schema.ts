/**
 * Reads a channel type's config schema (JSON Schema from the type's zod schema, via
 * GET /api/channels/types) into form fields, and form values back into a config object.
 */

/** The part of JSON Schema that zod's toJSONSchema emits for channel configs. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  title?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  items?: JsonSchema;
  format?: string;
  anyOf?: JsonSchema[];
  minLength?: number;
}

export type FieldKind = "text" | "secret" | "url" | "number" | "boolean" | "select" | "list" | "json";

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: string[];
  default?: unknown;
}

export function asSchema(value: unknown): JsonSchema {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonSchema) : {};
}

/** "callbackUrl" → "Callback URL" */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
  return (words.charAt(0).toUpperCase() + words.slice(1))
    .replace(/\b(url|id|api|irc|smtp|imap|http|https|tls|sasl|json|qr|dm|ssl|jwt|oauth)\b/gi, (w) => (w.toLowerCase() === "oauth" ? "OAuth" : w.toUpperCase()))
    .replace(/\bnickserv\b/gi, "NickServ")
    .replace(/ ms$/, " (milliseconds)")
    .replace(/ (seconds|secs)$/, " (seconds)");
}

function primaryType(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== "null");
  if (s.type) return s.type;
  const branch = s.anyOf?.find((b) => b.type !== "null");
  return branch ? primaryType(branch) : undefined;
}

function kindOf(name: string, s: JsonSchema, secretFields: readonly string[]): Pick<FormField, "kind" | "options"> {
  if (secretFields.includes(name)) return { kind: "secret" };
  const options = s.enum ?? s.anyOf?.flatMap((b) => (b.const !== undefined ? [b.const] : (b.enum ?? [])));
  if (options?.length && options.every((o) => typeof o === "string")) return { kind: "select", options: options as string[] };
  const type = primaryType(s);
  if (type === "boolean") return { kind: "boolean" };
  if (type === "number" || type === "integer") return { kind: "number" };
  if (type === "array" && primaryType(s.items ?? {}) === "string") return { kind: "list" };
  if (type === "string") return { kind: s.format === "uri" || /url$/i.test(name) ? "url" : "text" };
  return { kind: "json" };
}

export function fieldsOf(schema: JsonSchema, secretFields: readonly string[]): FormField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    label: s.title ?? humanize(name),
    required: required.has(name),
    description: s.description,
    default: s.default,
    ...kindOf(name, s, secretFields),
  }));
}

export type FormValues = Record<string, string | boolean>;

export function initialValues(fields: FormField[], config: Record<string, unknown> = {}): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const v = config[f.name] ?? f.default;
    if (f.kind === "secret") out[f.name] = "";
    else if (f.kind === "boolean") out[f.name] = v === true;
    else if (f.kind === "list") out[f.name] = Array.isArray(v) ? v.join("\n") : "";
    else if (f.kind === "json") out[f.name] = v === undefined ? "" : JSON.stringify(v, null, 2);
    else out[f.name] = v === undefined || v === null ? "" : String(v);
  }
  return out;
}

/** Form values → config; empty optional fields are left out (for secrets: generated, or kept on edit). */
export function toConfig(fields: FormField[], values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === "boolean") {
      out[f.name] = v === true;
      continue;
    }
    const text = typeof v === "string" ? v.trim() : "";
    if (text === "") continue;
    if (f.kind === "number") out[f.name] = Number(text);
    else if (f.kind === "list")
      out[f.name] = text
        .split(/\r?\n|,/)
        .map((x) => x.trim())
        .filter(Boolean);
    else if (f.kind === "json") {
      try {
        out[f.name] = JSON.parse(text);
      } catch {
        throw new Error(`${f.label} must be valid JSON`);
      }
    } else out[f.name] = text;
  }
  return out;
}
