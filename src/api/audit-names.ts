/**
 * Names for the feed's admin actions (./audit-feed.ts): "paused scheduled job Morning brief",
 * not "job_01J…". The name is read before the change (a deleted or renamed thing still has its
 * old name), and the created or renamed thing's name from the API's answer; each action links
 * to the dashboard screen that shows the thing.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { bridges, channels, jobs, loopTasks, mcpServers } from "../db/schema";

/** Resources with a name, and the dashboard screen that shows them; `opens`: it opens one from `?open=<id>`. */
const SCREENS: Record<string, { path: string; opens: boolean }> = {
  channels: { path: "/channels", opens: true },
  jobs: { path: "/jobs", opens: true },
  tasks: { path: "/tasks", opens: true },
  bridges: { path: "/bridges", opens: false },
  "mcp-servers": { path: "/mcp-servers", opens: false },
};

export function hasNames(resource: string): boolean {
  return resource in SCREENS;
}

/** Where the dashboard shows this thing. */
export function dashboardHref(resource: string, id: string): string | null {
  const screen = SCREENS[resource];
  if (!screen) return null;
  return screen.opens ? `${screen.path}?open=${encodeURIComponent(id)}` : screen.path;
}

/** The thing's name as stored now; null when it does not exist (or has no name). */
export async function storedName(db: Db, resource: string, id: string): Promise<string | null> {
  const row = await (async () => {
    switch (resource) {
      case "channels":
        return db.select({ name: channels.name }).from(channels).where(eq(channels.id, id)).get();
      case "jobs":
        return db.select({ name: jobs.name }).from(jobs).where(eq(jobs.id, id)).get();
      case "tasks":
        return /^\d+$/.test(id)
          ? db
              .select({ name: loopTasks.name })
              .from(loopTasks)
              .where(eq(loopTasks.id, Number(id)))
              .get()
          : undefined;
      case "bridges":
        return db.select({ name: bridges.name }).from(bridges).where(eq(bridges.id, id)).get();
      case "mcp-servers":
        return db.select({ name: mcpServers.name }).from(mcpServers).where(eq(mcpServers.id, id)).get();
      default:
        return undefined;
    }
  })();
  return row?.name ?? null;
}

/** The `{id, name}` the API answered with (`{channel: {...}}`, `{job: {...}}`...), if it did. */
export async function answeredThing(res: Response): Promise<{ id: string; name: string } | null> {
  if (!(res.headers.get("content-type") ?? "").includes("application/json")) return null;
  try {
    const body = (await res.clone().json()) as Record<string, unknown>;
    for (const value of Object.values(body)) {
      if (!value || typeof value !== "object") continue;
      const { id, name } = value as { id?: unknown; name?: unknown };
      if ((typeof id === "string" || typeof id === "number") && typeof name === "string") return { id: String(id), name };
    }
  } catch {
    // not a JSON object: no name to tell
  }
  return null;
}
