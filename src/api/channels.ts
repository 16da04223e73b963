/**
 * Channel administration: `GET/POST /api/channels`, `GET/PUT/DELETE /api/channels/:id`,
 * `POST /api/channels/:id/setup`. Configs are validated by the type's zod schema, secrets are
 * sealed before they reach D1 and come back only as "[hidden]".
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { HIDDEN_SECRET, mergeSecrets, openConfig, redactConfig, sealConfig, secretBoxFor } from "../channels/shared/config-codec";
import { channelRegistry, getAdapter } from "../channels/registry";
import type { ChannelAdapter } from "../channels/shared/types";
import { newId } from "../crypto/random";
import { channels } from "../db/schema";
import { describeZodError } from "../lib/zod-error";
import { channelSettings } from "../pipeline/channel-store";
import { channelCreateBody, channelUpdateBody } from "./channel-schemas";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";

/** Types with no inbound webhook of their own are created by the gateway, not the admin. */
const BUILT_IN_TYPES = new Set(["web"]);

type ChannelRow = typeof channels.$inferSelect;

export function inboundUrl(base: string, id: string): string {
  return `${base.replace(/\/$/, "")}/hooks/${id}`;
}

function publicBase(c: { env: Env; req: { url: string } }): string {
  return c.env.PUBLIC_URL || new URL(c.req.url).origin;
}

function present(row: ChannelRow, base: string) {
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
      types: [...channelRegistry.values()]
        .filter((a) => !BUILT_IN_TYPES.has(a.type))
        .map((a) => ({
          type: a.type,
          description: a.description,
          secretFields: a.secretFields,
          configSchema: z.toJSONSchema(a.configSchema, { io: "input", unrepresentable: "any" }),
        })),
    }),
  )
  .get("/", async (c) => {
    const rows = await c.var.db.select().from(channels).orderBy(channels.createdAt);
    return c.json({ channels: rows.map((r) => present(r, publicBase(c))) });
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
    const sealed = await sealConfig(adapter, config, await secretBoxFor(c.env.LOOPGATE_MASTER_KEY));
    const now = Date.now();
    const row: ChannelRow = {
      id: newId("ch"),
      type: adapter.type,
      name: body.name,
      policy: body.policy ?? "pairing",
      allowlist: JSON.stringify(body.allowlist ?? []),
      rateLimitPerMinute: body.rateLimitPerMinute ?? null,
      agent: body.agent ? JSON.stringify(body.agent) : null,
      config: JSON.stringify(sealed),
      status: "ok",
      lastError: null,
      statusDetail: null,
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
      const box = await secretBoxFor(c.env.LOOPGATE_MASTER_KEY);
      const merged = mergeSecrets(adapter, body.config, await openConfig(adapter, stored, box));
      for (const field of adapter.secretFields) if (merged[field] === HIDDEN_SECRET) fail(400, `${field} must be set`);
      config = JSON.stringify(await sealConfig(adapter, parseConfig(adapter, merged), box));
    }
    const updated: ChannelRow = {
      ...row,
      name: body.name ?? row.name,
      policy: body.policy ?? row.policy,
      allowlist: body.allowlist ? JSON.stringify(body.allowlist) : row.allowlist,
      rateLimitPerMinute: body.rateLimitPerMinute === undefined ? row.rateLimitPerMinute : body.rateLimitPerMinute,
      agent: body.agent === undefined ? row.agent : body.agent ? JSON.stringify(body.agent) : null,
      config,
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
    const config = await openConfig(adapter, JSON.parse(row.config) as Record<string, unknown>, await secretBoxFor(c.env.LOOPGATE_MASTER_KEY));
    const result = await adapter.setup({ channelId: row.id, config, publicUrl: publicBase(c), now: Date.now(), fetch: (i, init) => fetch(i, init) });
    await c.var.db
      .update(channels)
      .set({ status: result.ok ? "ok" : "error", lastError: result.ok ? null : (result.steps[0] ?? "setup failed") })
      .where(eq(channels.id, row.id));
    return c.json({ ...result, inboundUrl: inboundUrl(publicBase(c), row.id) }, result.ok ? 200 : 502);
  });
