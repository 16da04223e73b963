/** The Durable Objects of the scheduler, found by name; the one place their names are built. */

/** One JobRunner per job: it runs the job's queued runs one after another, from its alarm. */
export function jobRunner(env: Env, jobId: string) {
  return env.JOB_RUNNER.get(env.JOB_RUNNER.idFromName(`job:${jobId}`));
}

/** One LoopTask per task. */
export function loopTask(env: Env, taskId: number) {
  return env.LOOP_TASK.get(env.LOOP_TASK.idFromName(`task:${taskId}`));
}
