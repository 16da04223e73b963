/**
 * What `loopgate apply` must do to make the gateway's scheduled jobs match the config file: a
 * pure comparison of desired and current jobs (matched by name), like apply-plan.ts for
 * channels, so a second apply of the same file plans nothing. A job's pause state is operational
 * (`loopgate jobs pause`) and is neither compared nor changed.
 */
import type * as z from "zod";
import { DEFAULT_TIMEZONE } from "../cron/cron";
import { DEFAULT_RETRY_BACKOFF_MS, type jobCreateBody, type jobUpdateBody } from "../scheduler/job-schema";
import { byUniqueName, canonical, PlanError } from "./apply-plan";
import type { DesiredJob } from "./config-file";

type JobCreateBody = z.input<typeof jobCreateBody>;
type JobUpdateBody = z.input<typeof jobUpdateBody>;

/** A job as `GET /api/jobs` shows it (the fields the plan compares). */
export interface CurrentJob {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  steps: { prompt: string; model?: string }[];
  deliverTo: { channelId: string; recipient: string } | null;
  catchUp: string;
  retry: { attempts: number; backoffSeconds: number };
}

/** A channel as the resolver needs it: a file may name the delivery channel by name. */
export interface ChannelRef {
  id: string;
  name: string;
}

export type JobAction =
  | { kind: "create"; name: string; body: JobCreateBody }
  | { kind: "update"; name: string; id: string; changes: string[]; body: JobUpdateBody }
  | { kind: "unchanged"; name: string; id: string }
  | { kind: "remove"; name: string; id: string };

/** Placeholder id for a channel the same run creates; only seen in a dry run's plan. */
export const pendingChannelId = (name: string) => `(new channel ${name})`;

/**
 * Replaces each `deliverTo.channelId` that is a channel's name with its id. `pending` are the
 * names of channels this run is about to create (a dry run, or the check before anything changes).
 */
export function resolveDeliveryChannels(jobs: readonly DesiredJob[], channels: readonly ChannelRef[], pending: readonly string[] = []): DesiredJob[] {
  return jobs.map((job) => {
    if (!job.deliverTo) return job;
    const ref = job.deliverTo.channelId;
    if (channels.some((c) => c.id === ref)) return job;
    const named = channels.filter((c) => c.name === ref);
    if (named.length > 1)
      throw new PlanError(`job "${job.name}": deliverTo.channelId "${ref}" names ${named.length} channels; use the id (${named.map((c) => c.id).join(", ")})`);
    const id = named[0]?.id ?? (pending.includes(ref) ? pendingChannelId(ref) : undefined);
    if (!id) throw new PlanError(`job "${job.name}": deliverTo.channelId "${ref}" is neither the id nor the name of a channel on the gateway or in the file`);
    return { ...job, deliverTo: { ...job.deliverTo, channelId: id } };
  });
}

function planUpdate(want: DesiredJob, have: CurrentJob): JobAction {
  const changes: string[] = [];
  const body: JobUpdateBody = {};
  // A field left out of the file means the API's default, so the file is the whole truth.
  if (want.cron !== have.cron) {
    changes.push("cron");
    body.cron = want.cron;
  }
  const timezone = want.timezone ?? DEFAULT_TIMEZONE;
  if (timezone !== have.timezone) {
    changes.push("timezone");
    body.timezone = timezone;
  }
  if (canonical(want.steps) !== canonical(have.steps)) {
    changes.push("steps");
    body.steps = want.steps;
  }
  const deliverTo = want.deliverTo ?? null;
  if (canonical(deliverTo) !== canonical(have.deliverTo)) {
    changes.push("deliverTo");
    body.deliverTo = deliverTo;
  }
  const catchUp = want.catchUp ?? "skip";
  if (catchUp !== have.catchUp) {
    changes.push("catchUp");
    body.catchUp = catchUp;
  }
  const retry = { attempts: want.retry?.attempts ?? 1, backoffSeconds: want.retry?.backoffSeconds ?? DEFAULT_RETRY_BACKOFF_MS / 1000 };
  // The API stores whole milliseconds, so compare at that resolution.
  if (retry.attempts !== have.retry.attempts || Math.round(retry.backoffSeconds * 1000) !== Math.round(have.retry.backoffSeconds * 1000)) {
    changes.push("retry");
    body.retry = retry;
  }
  return changes.length ? { kind: "update", name: want.name, id: have.id, changes, body } : { kind: "unchanged", name: want.name, id: have.id };
}

/** `desired` must have its delivery channels resolved (resolveDeliveryChannels). */
export function planJobs(desired: readonly DesiredJob[], current: readonly CurrentJob[], options: { prune: boolean }): JobAction[] {
  const byName = byUniqueName(current, desired, "jobs");
  const actions: JobAction[] = desired.map((want) => {
    const have = byName.get(want.name);
    return have ? planUpdate(want, have) : { kind: "create", name: want.name, body: want };
  });
  if (options.prune) {
    const wanted = new Set(desired.map((d) => d.name));
    for (const job of current) if (!wanted.has(job.name)) actions.push({ kind: "remove", name: job.name, id: job.id });
  }
  return actions;
}
