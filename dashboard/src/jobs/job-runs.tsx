/** A job's run history, newest first: status, trigger, tries, tokens, cost, delivery, and the output or error. */
import { api, body } from "../api/client";
import type { JobRun } from "../api/types";
import { Badge, Empty, ErrorBanner } from "../ui/widgets";
import { dateTime, usd } from "../ui/format";
import { useLoad } from "../ui/use-load";

const TONE = { queued: "muted", running: "warn", retrying: "warn", ok: "ok", failed: "bad", skipped: "muted", missed: "muted" } as const;
/** A run's status in words: "skipped" and "missed" are decisions, not failures. */
const LABEL = {
  queued: "waiting",
  running: "running",
  retrying: "will try again",
  ok: "done",
  failed: "failed",
  skipped: "not run: over budget",
  missed: "not run: gateway was down",
} as const;

function RunRow({ run, timezone }: { run: JobRun; timezone: string }) {
  const took = run.startedAt && run.finishedAt ? `${((run.finishedAt - run.startedAt) / 1000).toFixed(1)} s` : null;
  return (
    <li class="row" data-run={run.id} data-status={run.status}>
      <div class="main">
        <strong>{dateTime(run.scheduledFor, timezone)}</strong>
        <div class="meta">
          <span>{run.trigger === "manual" ? "run now" : run.trigger === "catch-up" ? "catch-up run" : "on schedule"}</span>
          {run.attempts > 1 && <span>{run.attempts} tries</span>}
          {took && <span>{took}</span>}
          {run.model && <span>{run.model}</span>}
          {(run.inputTokens > 0 || run.outputTokens > 0) && (
            <span>
              {run.inputTokens} in / {run.outputTokens} out
            </span>
          )}
          <span>{usd(run.costUsd)}</span>
          {run.delivered && <span>delivered</span>}
        </div>
        {run.error && <small class="error-text">{run.error}</small>}
        {run.output !== null && (
          <details>
            <summary>Output</summary>
            {run.stepOutputs.length > 1 &&
              run.stepOutputs.slice(0, -1).map((o, i) => (
                <pre key={i} class="output step">
                  Step {i + 1}: {o}
                </pre>
              ))}
            <pre class="output">{run.output}</pre>
          </details>
        )}
      </div>
      <Badge tone={TONE[run.status]}>{LABEL[run.status]}</Badge>
    </li>
  );
}

export function JobRuns({ jobId, timezone, refreshKey }: { jobId: string; timezone: string; refreshKey: number }) {
  const runs = useLoad(async () => (await body(api.jobs[":id"].runs.$get({ param: { id: jobId }, query: { limit: "20" } }))).runs, [jobId, refreshKey], 3000);
  return (
    <section class="job-runs" aria-label="Run history">
      <h3>Run history</h3>
      <ErrorBanner error={runs.error} />
      {(runs.data ?? []).length === 0 ? (
        <Empty>{runs.loading && !runs.data ? "Loading…" : "No runs yet."}</Empty>
      ) : (
        <ul class="rows compact">
          {runs.data?.map((r) => (
            <RunRow key={r.id} run={r} timezone={timezone} />
          ))}
        </ul>
      )}
    </section>
  );
}
