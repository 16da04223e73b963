/**
 * Whom scheduled work's model calls are charged to. Jobs and loop tasks have no platform
 * sender, so their calls are recorded on the `scheduler` channel as the sender `job:<id>` or
 * `task:<id>`: /api/usage?channelId=scheduler shows all scheduled spend, `/senders` splits it
 * per job and task, and the account's daily cap counts it once, from the same rows.
 */
import { apiCallRows, type ApiCallRow } from "../agent/call-rows";
import type { ApiCallRecord } from "../agent/types";
import { sessionId } from "../pipeline/records";

export const SCHEDULER_CHANNEL_ID = "scheduler";

export const jobSender = (jobId: string) => `job:${jobId}`;
export const taskSender = (taskId: number) => `task:${taskId}`;

/** A job run's calls; each try has its own ids, so a retried run adds rows rather than replacing them. */
export function jobRunCallRows(calls: readonly ApiCallRecord[], jobId: string, runId: string, attempt: number): ApiCallRow[] {
  const senderId = jobSender(jobId);
  return apiCallRows(calls, { channelId: SCHEDULER_CHANNEL_ID, senderId, sessionId: sessionId(SCHEDULER_CHANNEL_ID, senderId), runId, idPrefix: `${runId}:t${attempt}` });
}

/** A loop iteration's calls; the iteration is the run (`loop_<task>_<n>`). */
export function iterationCallRows(calls: readonly ApiCallRecord[], taskId: number, iteration: number): ApiCallRow[] {
  const senderId = taskSender(taskId);
  return apiCallRows(calls, { channelId: SCHEDULER_CHANNEL_ID, senderId, sessionId: sessionId(SCHEDULER_CHANNEL_ID, senderId), runId: `loop_${taskId}_${iteration}` });
}
