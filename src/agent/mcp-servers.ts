/**
 * The admin's registry of remote MCP servers (D1 `mcp_servers`) and what one turn may use of it.
 * A channel's or job's agent settings name the servers (`mcpServers`); the turn gets those, with
 * their tokens unsealed, only for admin and paired senders: an MCP server acts on the admin's
 * accounts, so a public-tier sender (an open channel, any e-mail) never reaches one, whatever
 * the channel lists.
 */
import { inArray } from "drizzle-orm";
import * as z from "zod";
import { MissingMasterKeyError } from "../channels/shared/config-codec";
import type { Keyring } from "../crypto/keyring";
import type { Db } from "../db/client";
import { mcpServers } from "../db/schema";
import { mcpServerName, type McpServerGrant } from "./mcp-request";
import type { TrustTier } from "./trust";

const toolName = z.string().trim().min(1).max(128);
/**
 * A server on the gateway's own machine (a gateway run with `npm start` beside a local MCP
 * server): plain http is allowed there, for the ask-first tools the gateway calls itself. The
 * MCP connector reaches only https servers, so such a server's other tools are not offered.
 */
export const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

export const mcpServerBody = z
  .object({
    name: mcpServerName,
    url: z
      .url({ protocol: /^https?$/, error: "url must be an https:// URL (the MCP connector accepts no other)" })
      .max(2_000)
      .refine((url) => url.startsWith("https://") || LOOPBACK_HTTP.test(url), {
        error: "url must be an https:// URL (the MCP connector accepts no other; http:// only on this machine, 127.0.0.1 or localhost, for ask-first tools)",
      }),
    /** OAuth bearer token; sealed at rest, never returned. null removes it. */
    token: z.string().min(1).max(8_000).nullable().optional(),
    /** Only these of the server's tools; null or unset: all of them. */
    allowedTools: z.array(toolName).min(1).max(200).nullable().optional(),
  })
  .strict();

export type McpServerBody = z.infer<typeof mcpServerBody>;
export type McpServerRow = typeof mcpServers.$inferSelect;

export async function sealToken(token: string, box: Keyring | null): Promise<string> {
  if (!box) throw new MissingMasterKeyError();
  return box.seal(token);
}

/** What the API shows of a server: everything but the token, which is only said to be set. */
export function presentMcpServer(row: McpServerRow) {
  const { token, allowedTools, ...shown } = row;
  return { ...shown, allowedTools: allowedTools ? (JSON.parse(allowedTools) as string[]) : null, hasToken: token !== null };
}

/**
 * The servers named in `names` this sender may use: none for the public tier. A server whose
 * token cannot be opened (master key missing or rotated away) is left out rather than failing
 * the turn; `skipped` names it for the admin's feed.
 */
export async function mcpGrants(
  db: Db,
  box: Keyring | null,
  names: readonly string[] | null | undefined,
  trust: TrustTier,
): Promise<{ grants: McpServerGrant[]; skipped: string[] }> {
  if (!names?.length || trust === "public") return { grants: [], skipped: [] };
  const rows = await db
    .select()
    .from(mcpServers)
    .where(inArray(mcpServers.name, [...names]))
    .all();
  const grants: McpServerGrant[] = [];
  const skipped: string[] = [];
  for (const r of rows) {
    let token: string | undefined;
    try {
      if (r.token && !box) throw new MissingMasterKeyError();
      token = r.token && box ? await box.open(r.token) : undefined;
    } catch {
      skipped.push(r.name);
      continue;
    }
    grants.push({ name: r.name, url: r.url, ...(token ? { token } : {}), ...(r.allowedTools ? { allowedTools: JSON.parse(r.allowedTools) as string[] } : {}) });
  }
  return { grants, skipped };
}

/**
 * The same choice for a container turn, with each token left sealed as D1 keeps it: the turn
 * waits in the bridge hub's queue, and the hub opens the token only as it sends the turn over
 * the bridge link (workers/bridge-hub-turns.ts), so no opened token is ever stored.
 */
export async function mcpSealedGrants(
  db: Db,
  names: readonly string[] | null | undefined,
  trust: TrustTier,
): Promise<{ name: string; url: string; sealedToken?: string; allowedTools?: string[] }[]> {
  if (!names?.length || trust === "public") return [];
  const rows = await db
    .select()
    .from(mcpServers)
    .where(inArray(mcpServers.name, [...names]))
    .all();
  return rows.map((r) => ({
    name: r.name,
    url: r.url,
    ...(r.token ? { sealedToken: r.token } : {}),
    ...(r.allowedTools ? { allowedTools: JSON.parse(r.allowedTools) as string[] } : {}),
  }));
}
