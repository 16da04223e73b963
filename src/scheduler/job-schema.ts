/**
 * The job API's input shapes (zod) and how a stored job is shown. Cron and time zone are
 * checked separately by ./cron.ts, so their errors name the bad cron field.
 */
import * as z from "zod";
import type { jobs } from "../db/schema";
import { parseCron } from "../cron/cron";
import { mcpServerName } from "../agent/mcp-request";
import { serverToolsSchema } from "../agent/server-tools";

export const MAX_RECIPE_STEPS = 20;
export const MAX_RETRY_ATTEMPTS = 10;
export const DEFAULT_RETRY_BACKOFF_MS = 60_000;

const step = z.strictObject({
  prompt: z.string().trim().min(1, "prompt is required").max(20_000),
  model: z.string().trim().min(1).max(100).optional(),
  /** Web search, web fetch, code execution for this step (src/agent/server-tools.ts); none when unset. */
  serverTools: serverToolsSchema.optional(),
  /** Registered MCP servers (by name) this step's agent may use (src/agent/mcp-servers.ts); none when unset. */
  mcpServers: z.array(mcpServerName).min(1).max(20).optional(),
});

/** Where a result goes: a channel and the platform id of the recipient on it. */
export const deliveryTarget = z.strictObject({
  channelId: z.string().trim().min(1, "channelId is required").max(100),
  recipient: z.string().trim().min(1, "recipient is required").max(500),
});

const retry = z.strictObject({
  attempts: z.int().min(1).max(MAX_RETRY_ATTEMPTS),
  backoffSeconds: z
    .number()
    .min(0)
    .max(24 * 3600)
    .optional(),
});

export const jobCreateBody = z.strictObject({
  name: z.string().trim().min(1, "name is required").max(100),
  cron: z.string().trim().min(1, "cron is required").max(200),
  timezone: z.string().trim().min(1).max(64).optional(),
  steps: z.array(step).min(1, "at least one step is required").max(MAX_RECIPE_STEPS),
  deliverTo: deliveryTarget.optional(),
  catchUp: z.enum(["skip", "run-once"]).optional(),
  retry: retry.optional(),
});

export const jobUpdateBody = jobCreateBody.partial().extend({ deliverTo: deliveryTarget.nullable().optional() });

export type DeliveryTarget = z.infer<typeof deliveryTarget>;

/** The sender an agent-created job belongs to (schedule_job): its runs are charged to and capped by their budget. */
export interface JobOwner {
  /** The channel the sender asked on. */
  channelId: string;
  /** The sender's platform id on that channel. */
  senderId: string;
}
/** The same shape as recipe.ts's RecipeStep, taken from the schema so Node clients (the CLI) need no Worker types. */
type StoredStep = z.infer<typeof step>;
type JobRow = typeof jobs.$inferSelect;

/** The cron expression and zone checked together; the message names the bad field. */
export function cronError(cron: string, timezone: string): string | null {
  const parsed = parseCron(cron, timezone);
  if (parsed.ok) return null;
  return parsed.field === "timezone" ? parsed.error : `cron: ${parsed.error}`;
}

/** A job row's owner, or null for a job an admin created. */
export function jobOwner(row: Pick<JobRow, "ownerChannelId" | "ownerSenderId">): JobOwner | null {
  return row.ownerChannelId !== null && row.ownerSenderId !== null ? { channelId: row.ownerChannelId, senderId: row.ownerSenderId } : null;
}

export function presentJob(row: JobRow, now: number, upcoming = 5) {
  const parsed = parseCron(row.cron, row.timezone);
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    steps: JSON.parse(row.steps) as StoredStep[],
    deliverTo: row.deliverTo ? (JSON.parse(row.deliverTo) as DeliveryTarget) : null,
    /** Read-only: the sender the agent created the job for, or null for an admin's job. */
    owner: jobOwner(row),
    catchUp: row.catchUp,
    retry: { attempts: row.retryAttempts, backoffSeconds: row.retryBackoffMs / 1000 },
    status: row.status,
    /** The next due time the heartbeat has not yet handled (may be past while paused). */
    nextRunAt: row.nextRunAt,
    /** The next times the job will run, if it stays active. */
    nextRuns: row.status === "active" && parsed.ok ? parsed.schedule.nextRuns(upcoming, Math.max(now, (row.nextRunAt ?? now) - 1)) : [],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
