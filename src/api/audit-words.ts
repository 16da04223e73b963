/**
 * The words of the feed's audit events (./audit-feed.ts), kept free of Worker bindings so they
 * are tested in plain Node: an admin's change described as a sentence naming what changed
 * ("paused scheduled job Morning brief"; names from ./audit-names.ts), and the throttle that records a refused webhook at most once per channel and reason
 * every REFUSAL_QUIET_MS per isolate.
 */
import { feedEvent, type FeedEvent } from "../db/feed-events";

export const REFUSAL_QUIET_MS = 10_000;
const lastRefusal = new Map<string, number>();

/** A refused webhook request, in the feed (the adapter's reason names no secret: see the adapters' verify). */
export function refusedWebhookEvent(channelId: string, status: number, error: string, now: number): FeedEvent | null {
  const key = `${channelId}\n${status}\n${error}`;
  const last = lastRefusal.get(key) ?? 0;
  if (now - last < REFUSAL_QUIET_MS) return null;
  lastRefusal.set(key, now);
  if (lastRefusal.size > 1000) lastRefusal.clear();
  return feedEvent("webhook.refused", channelId, undefined, { status, error: error.slice(0, 200) }, now);
}

const NOUNS: Record<string, string> = {
  channels: "channel",
  bridges: "bridge",
  pairings: "pairing",
  senders: "sender",
  jobs: "scheduled job",
  tasks: "loop task",
  tokens: "API token",
  "mcp-servers": "MCP server",
  usage: "budget",
  secrets: "secrets",
  backup: "backup",
  auth: "account",
};

const ACTIONS: Record<string, string> = {
  pause: "paused",
  resume: "resumed",
  run: "ran",
  start: "started",
  stop: "stopped",
  approve: "approved",
  deny: "denied",
  reject: "rejected",
  setup: "ran setup of",
  login: "started the login of",
  restore: "restored",
  reseal: "resealed",
};

const AUTH_ACTIONS: Record<string, string> = {
  "auth/password": "changed their password",
  "auth/logout-everywhere": "logged out everywhere",
};

/** The things' names when known: before the change (still there for a delete) and as the API answered (a creation, a rename). */
export interface ActionNames {
  before?: string | null;
  after?: string | null;
}

/**
 * "created a channel named Family Telegram", "renamed channel Family to Family Telegram",
 * "paused scheduled job Morning brief"; the id stands in where no name is known.
 */
export function describeAdminAction(method: string, path: string, names: ActionNames = {}): { action: string; resource: string; id?: string } | null {
  const rest = path.replace(/^\/api\//, "");
  if (AUTH_ACTIONS[rest]) return { action: AUTH_ACTIONS[rest], resource: "auth" };
  const [resource, id, verb] = rest.split("/").filter(Boolean);
  if (!resource) return null;
  if (resource === "auth" && method === "DELETE") return { action: "signed out one of their login sessions", resource };
  const noun = NOUNS[resource] ?? resource.replace(/-/g, " ");
  const { before, after } = names;
  const target = id ? `${noun} ${before ?? after ?? decodeURIComponent(id)}` : noun;
  if (verb) return { action: `${ACTIONS[verb] ?? verb.replace(/-/g, " ")} ${target}`, resource, id };
  if (method === "POST")
    return { action: id ? `acted on ${target}` : `created a${/^[aeiou]/.test(noun) ? "n" : ""} ${noun}${after ? ` named ${after}` : ""}`, resource, id };
  if ((method === "PUT" || method === "PATCH") && id && before && after && before !== after)
    return { action: `renamed ${noun} ${before} to ${after}`, resource, id };
  if (method === "PUT" || method === "PATCH") return { action: `changed ${target}`, resource, id };
  if (method === "DELETE") return { action: `deleted ${target}`, resource, id };
  return null;
}
