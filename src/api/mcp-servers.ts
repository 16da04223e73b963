/**
 * Remote MCP servers the agent may reach through the Messages API's MCP connector:
 * `GET /api/mcp-servers`, `POST` (register), `PUT /:id` (replace url, token, allowed tools;
 * a token left out is kept), `DELETE /:id`. Tokens are sealed with the master key and never
 * returned (`hasToken` says one is set). Channels and jobs pick servers by name in their
 * agent settings (`agent.mcpServers`).
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { mcpServerBody, presentMcpServer, sealToken } from "../agent/mcp-servers";
import { keyringFor } from "../crypto/keyring";
import { newId } from "../crypto/random";
import { mcpServers } from "../db/schema";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";

const idParam = validate("param", z.object({ id: z.string().min(1).max(100) }));

export const mcpServerRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await c.var.db.select().from(mcpServers).orderBy(mcpServers.name).all();
    return c.json({ mcpServers: rows.map(presentMcpServer) });
  })
  .post("/", validate("json", mcpServerBody), async (c) => {
    const body = c.req.valid("json");
    if (await c.var.db.select({ id: mcpServers.id }).from(mcpServers).where(eq(mcpServers.name, body.name)).get())
      fail(409, `an MCP server named ${body.name} exists already`);
    const now = Date.now();
    const row = {
      id: newId("mcp"),
      name: body.name,
      url: body.url,
      token: body.token ? await sealToken(body.token, await keyringFor(c.env)) : null,
      allowedTools: body.allowedTools ? JSON.stringify(body.allowedTools) : null,
      createdAt: now,
      updatedAt: now,
    };
    await c.var.db.insert(mcpServers).values(row).run();
    return c.json(presentMcpServer(row), 201);
  })
  .put("/:id", idParam, validate("json", mcpServerBody), async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const current = await c.var.db.select().from(mcpServers).where(eq(mcpServers.id, id)).get();
    if (!current) fail(404, `no MCP server ${id}`);
    const clash = await c.var.db.select({ id: mcpServers.id }).from(mcpServers).where(eq(mcpServers.name, body.name)).get();
    if (clash && clash.id !== id) fail(409, `an MCP server named ${body.name} exists already`);
    const token = body.token === undefined ? current.token : body.token === null ? null : await sealToken(body.token, await keyringFor(c.env));
    const row = {
      ...current,
      name: body.name,
      url: body.url,
      token,
      allowedTools: body.allowedTools ? JSON.stringify(body.allowedTools) : null,
      updatedAt: Date.now(),
    };
    await c.var.db.update(mcpServers).set(row).where(eq(mcpServers.id, id)).run();
    return c.json(presentMcpServer(row));
  })
  .delete("/:id", idParam, async (c) => {
    const { id } = c.req.valid("param");
    const gone = await c.var.db.delete(mcpServers).where(eq(mcpServers.id, id)).returning({ id: mcpServers.id }).get();
    if (!gone) fail(404, `no MCP server ${id}`);
    return c.json({ deleted: id });
  });
