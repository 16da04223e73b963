/**
 * Whom scheduled work's model calls are charged to. Admin-created jobs and loop tasks have no
 * platform sender, so their calls are recorded on the `scheduler` channel as the sender
 * `job:<id>` or `task:<id>`: /api/usage?channelId=scheduler shows that spend, `/senders` splits
 * it per job and task, and the account's daily cap counts it once, from the same rows. A job
 * the agent created for a sender (schedule_job) belongs to that sender: its calls are theirs,
 * so their daily caps count them, and the run id and the job's session keep the job visible.
 */
import { apiCallRows, type ApiCallRow } from "../agent/call-rows";
import type { ApiCallRecord } from "../agent/types";
import { sessionId } from "../objects/session-id";
import type { JobOwner } from "./job-schema";

export const SCHEDULER_CHANNEL_ID = "scheduler";

export const jobSender = (jobId: string) => `job:${jobId}`;
export const taskSender = (taskId: number) => `task:${taskId}`;

/** Who a job's calls and budget events are recorded under: its owner, or the job itself on the scheduler channel. */
export function jobAccount(jobId: string, owner: JobOwner | null): JobOwner {
  return owner ?? { channelId: SCHEDULER_CHANNEL_ID, senderId: jobSender(jobId) };
}

/** A job run's calls; each try has its own ids, so a retried run adds rows rather than replacing them. */
export function jobRunCallRows(calls: readonly ApiCallRecord[], jobId: string, runId: string, attempt: number, owner: JobOwner | null = null): ApiCallRow[] {
  const { channelId, senderId } = jobAccount(jobId, owner);
  // The session is the job's own either way: a run is a fresh conversation, not the owner's chat.
  return apiCallRows(calls, { channelId, senderId, sessionId: sessionId(SCHEDULER_CHANNEL_ID, jobSender(jobId)), runId, idPrefix: `${runId}:t${attempt}` });
}

/** A loop iteration's calls; the iteration is the run (`loop_<task>_<n>`). */
export function iterationCallRows(calls: readonly ApiCallRecord[], taskId: number, iteration: number): ApiCallRow[] {
  const senderId = taskSender(taskId);
  return apiCallRows(calls, {
    channelId: SCHEDULER_CHANNEL_ID,
    senderId,
    sessionId: sessionId(SCHEDULER_CHANNEL_ID, senderId),
    runId: `loop_${taskId}_${iteration}`,
  });
}
