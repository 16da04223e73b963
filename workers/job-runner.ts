/**
 * JobRunner: one object per scheduled job (`idFromName("job:" + jobId)`). The heartbeat claims
 * due times in D1 and wakes the runner; the runner works through the job's due runs from its
 * alarm, so a long recipe never runs inside the scheduled handler, a job never overlaps
 * itself, and retries wait on an alarm set for their backoff.
 */
import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../src/config";
import { keyringFor } from "../src/crypto/keyring";
import { openDb } from "../src/db/client";
import { schedulerAgent } from "../src/scheduler/runtime-factory";
import { dueRuns, executeRun, nextTryAt } from "../src/scheduler/run-job";
import { notifySender } from "../src/objects/addresses";
import { publishEvents } from "./live-feed";

export class JobRunner extends DurableObject<Env> {
  /** Starts work on the job's due runs now (idempotent: an earlier alarm is kept). */
  async wake(jobId: string): Promise<void> {
    await this.ctx.storage.put("jobId", jobId);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const jobId = await this.ctx.storage.get<string>("jobId");
    if (!jobId) return;
    const db = openDb(this.env.DB);
    const deps = {
      db,
      runtime: schedulerAgent.runtime(this.env),
      limits: readConfig(this.env),
      notify: (target: { channelId: string; recipient: string }, text: string) => notifySender(this.env, target.channelId, target.recipient, text),
      publish: (events: Parameters<typeof publishEvents>[1]) => publishEvents(this.env, events),
      keyring: () => keyringFor(this.env),
    };
    for (const run of await dueRuns(db, jobId, Date.now())) await executeRun(deps, run);
    const next = await nextTryAt(db, jobId);
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
  }
}
