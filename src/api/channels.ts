/**
 * Channel administration: `GET/POST /api/channels`, `GET/PUT/DELETE /api/channels/:id`,
 * `POST /api/channels/:id/setup`. Configs are validated by the type's zod schema, secrets are
 * sealed before they reach D1 and come back only as "[hidden]".
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { HIDDEN_SECRET, mergeSecrets, openConfig, redactConfig, redirectWithoutSecrets, sealConfig } from "../channels/shared/config-codec";
import { keyringFor } from "../crypto/keyring";
import { channelLoadErrors, channelRegistry, getAdapter, isPluginType, type ChannelLoadError } from "../channels/registry";
import type { ChannelAdapter } from "../channels/shared/types";
import { newId } from "../crypto/random";
import { channels } from "../db/schema";
import { configJsonSchema } from "../lib/config-json-schema";
import { describeZodError } from "../lib/zod-error";
import { channelSettings } from "../pipeline/channel-store";
import { initialStatus, statusAfterSave, statusAfterSetup } from "./channel-status";
import { channelCreateBody, channelUpdateBody } from "./channel-schemas";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";
import { type DeliveryHealth, deliveryHealth } from "./delivery-health";

/** Types with no inbound webhook of their own are created by the gateway, not the admin. */
const BUILT_IN_TYPES = new Set(["web"]);

type ChannelRow = typeof channels.$inferSelect;

/** Plugin types whose config schema cannot be described as JSON Schema; they are not offered. */
const schemaErrors: ChannelLoadError[] = [];

/** The types an admin can create, with the JSON Schema of their config (forms, the CLI). */
function describeTypes() {
  return [...channelRegistry.values()]
    .filter((a) => !BUILT_IN_TYPES.has(a.type))
    .flatMap((a) => {
      let configSchema: unknown;
      try {
        configSchema = configJsonSchema(a.configSchema);
      } catch (err) {
        if (!schemaErrors.some((e) => e.source === a.type))
          schemaErrors.push({ source: a.type, error: `configSchema cannot be described: ${err instanceof Error ? err.message : String(err)}` });
        return [];
      }
      return [{ type: a.type, description: a.description, secretFields: a.secretFields, configSchema, plugin: isPluginType(a.type) }];
    });
}

export function inboundUrl(base: string, id: string): string {
  return `${base.replace(/\/$/, "")}/hooks/${id}`;
}

function publicBase(c: { env: Env; req: { url: string } }): string {
  return c.env.PUBLIC_URL || new URL(c.req.url).origin;
}

/** A status change as the row's columns; a changed status starts without the old error. */
function withStatus(next: { status: string; statusDetail: string | null } | null, lastError: string | null = null) {
  return next ? { status: next.status, statusDetail: next.statusDetail, lastError } : {};
}

const HEALTHY: DeliveryHealth = { failedSinceLastDelivery: 0, lastError: null, lastFailedAt: null };

function present(row: ChannelRow, base: string, delivery: DeliveryHealth = HEALTHY) {
  const adapter = getAdapter(row.type);
  const stored = JSON.parse(row.config) as Record<string, unknown>;
  return {
    ...channelSettings(row),
    config: adapter ? redactConfig(adapter, stored) : {},
    status: row.status,
    lastError: row.lastError,
    /** A bridged channel's pending login (e.g. the WhatsApp QR string to render), else null. */
    statusDetail: row.statusDetail,
    lastMessageAt: row.lastMessageAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    inboundUrl: BUILT_IN_TYPES.has(row.type) ? null : inboundUrl(base, row.id),
    /** Replies failing to reach the platform since the last delivered one (src/api/delivery-health.ts). */
    delivery,
  };
}

function parseConfig(adapter: ChannelAdapter<unknown>, config: Record<string, unknown>): Record<string, unknown> {
  const parsed = adapter.configSchema.safeParse(config);
  if (!parsed.success) fail(400, `invalid ${adapter.type} config: ${describeZodError(parsed.error)}`);
  return parsed.data as Record<string, unknown>;
}

async function getRow(c: { var: AppEnv["Variables"] }, id: string): Promise<ChannelRow> {
  const row = await c.var.db.select().from(channels).where(eq(channels.id, id)).get();
  if (!row) fail(404, `no channel ${id}`);
  return row;
}

export const channelRoutes = new Hono<AppEnv>()
  .get("/types", (c) =>
    c.json({
      types: describeTypes(),
      /** Channel modules found at build time that could not be used, and why. */
      loadErrors: [...channelLoadErrors, ...schemaErrors],
    }),
  )
  .get("/", async (c) => {
    const [rows, delivery] = await Promise.all([c.var.db.select().from(channels).orderBy(channels.createdAt), deliveryHealth(c.var.db, Date.now())]);
    return c.json({ channels: rows.map((r) => present(r, publicBase(c), delivery.get(r.id))) });
  })
  .post("/", validate("json", channelCreateBody), async (c) => {
    const body = c.req.valid("json");
    const adapter = getAdapter(body.type);
    if (!adapter || BUILT_IN_TYPES.has(body.type)) {
      const known = [...channelRegistry.keys()].filter((t) => !BUILT_IN_TYPES.has(t)).join(", ");
      fail(400, `unknown channel type "${body.type}"; known types: ${known}`);
    }
    const provided = parseConfig(adapter, body.config);
    const config = adapter.prepareConfig ? (adapter.prepareConfig(provided) as Record<string, unknown>) : provided;
    // Secrets the gateway generated are shown once, here, and never again.
    const generatedSecrets = Object.fromEntries(
      adapter.secretFields.filter((f) => provided[f] === undefined && config[f] !== undefined).map((f) => [f, config[f]]),
    );
    const sealed = await sealConfig(adapter, config, await keyringFor(c.env));
    const now = Date.now();
    const id = newId("ch");
    const row: ChannelRow = {
      id,
      type: adapter.type,
      name: body.name,
      policy: body.policy ?? "pairing",
      allowlist: JSON.stringify(body.allowlist ?? []),
      rateLimitPerMinute: body.rateLimitPerMinute ?? null,
      agent: body.agent ? JSON.stringify(body.agent) : null,
      config: JSON.stringify(sealed),
      // A channel the platform cannot reach yet says so, not "ok" (channel-status.ts).
      ...initialStatus(adapter, id, config),
      lastError: null,
      lastMessageAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await c.var.db.insert(channels).values(row);
    return c.json({ channel: present(row, publicBase(c)), generatedSecrets }, 201);
  })
  .get("/:id", async (c) => c.json({ channel: present(await getRow(c, c.req.param("id")), publicBase(c)) }))
  .put("/:id", validate("json", channelUpdateBody), async (c) => {
    const row = await getRow(c, c.req.param("id"));
    const adapter = getAdapter(row.type);
    if (!adapter) fail(409, `channel type ${row.type} is no longer available`);
    const body = c.req.valid("json");
    let config = row.config;
    if (body.config) {
      const stored = JSON.parse(row.config) as Record<string, unknown>;
      const box = await keyringFor(c.env);
      const opened = await openConfig(adapter, stored, box);
      const merged = mergeSecrets(adapter, body.config, opened);
      for (const field of adapter.secretFields) if (merged[field] === HIDDEN_SECRET) fail(400, `${field} must be set`);
      const parsed = parseConfig(adapter, merged);
      const redirect = redirectWithoutSecrets(adapter, body.config, opened, parsed);
      if (redirect.changed.length > 0 && redirect.missing.length > 0)
        fail(
          400,
          `changing ${redirect.changed.join(", ")} requires the secrets again (${redirect.missing.join(", ")}) in the same update, so a stored secret never goes to a new place`,
        );
      config = JSON.stringify(await sealConfig(adapter, parsed, box));
    }
    const updated: ChannelRow = {
      ...row,
      name: body.name ?? row.name,
      policy: body.policy ?? row.policy,
      allowlist: body.allowlist ? JSON.stringify(body.allowlist) : row.allowlist,
      rateLimitPerMinute: body.rateLimitPerMinute === undefined ? row.rateLimitPerMinute : body.rateLimitPerMinute,
      agent: body.agent === undefined ? row.agent : body.agent ? JSON.stringify(body.agent) : null,
      config,
      // Saving a channel clears a failed setup's or a plugin fault's error: the next call reports afresh.
      ...withStatus(statusAfterSave(adapter, row, JSON.parse(config) as Record<string, unknown>)),
      updatedAt: Date.now(),
    };
    await c.var.db.update(channels).set(updated).where(eq(channels.id, row.id));
    return c.json({ channel: present(updated, publicBase(c)) });
  })
  .delete("/:id", async (c) => {
    const row = await getRow(c, c.req.param("id"));
    await c.var.db.delete(channels).where(eq(channels.id, row.id));
    return c.json({ ok: true });
  })
  .post("/:id/setup", async (c) => {
    const row = await getRow(c, c.req.param("id"));
    const adapter = getAdapter(row.type);
    if (!adapter?.setup) return c.json({ ok: true, steps: [`${row.type} channels need no setup.`] });
    const config = await openConfig(adapter, JSON.parse(row.config) as Record<string, unknown>, await keyringFor(c.env));
    const result = await adapter.setup({ channelId: row.id, config, publicUrl: publicBase(c), now: Date.now(), fetch: (i, init) => fetch(i, init) });
    // A bridge's own view (and its detail, a login QR) is left alone; see channel-status.ts.
    const next = statusAfterSetup(adapter, row, config as Record<string, unknown>, result.ok);
    if (next)
      await c.var.db
        .update(channels)
        .set(withStatus(next, result.ok ? null : (result.steps[0] ?? "setup failed")))
        .where(eq(channels.id, row.id));
    return c.json({ ...result, inboundUrl: inboundUrl(publicBase(c), row.id) }, result.ok ? 200 : 502);
  });
