/** Scheduled jobs: schedule one (next runs shown as you type), edit, pause, resume, run now, delete, and each job's run history. */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { Job } from "../api/types";
import { JobRuns } from "../jobs/job-runs";
import { JobForm } from "../jobs/job-form";
import { inZone } from "../jobs/use-cron-preview";
import { openParam } from "../shell/router";
import type { ScreenDef } from "../shell/screens";
import { useRowActions } from "../ui/actions";
import { Badge, ConfirmButton, Empty, ErrorBanner } from "../ui/widgets";
import { useLoad } from "../ui/use-load";

function JobMeta({ job, channelName, senderName }: { job: Job; channelName: (id: string) => string; senderName: (channelId: string, id: string) => string }) {
  const next = job.nextRuns[0];
  return (
    <div class="meta">
      <span>
        <code>{job.cron}</code> {job.timezone}
      </span>
      <span>
        {job.status === "active" && next ? `next ${inZone(new Date(next).toISOString(), job.timezone)} ${job.timezone}` : "not scheduled while paused"}
      </span>
      <span>
        {job.steps.length} {job.steps.length === 1 ? "step" : "steps"}
      </span>
      <span>
        {job.deliverTo
          ? `to ${senderName(job.deliverTo.channelId, job.deliverTo.recipient)} on ${channelName(job.deliverTo.channelId)}`
          : "result kept in history"}
      </span>
      <span data-catch-up={job.catchUp}>{job.catchUp === "skip" ? "runs missed during downtime are left out" : "one catch-up run after downtime"}</span>
      {job.retry.attempts > 1 && <span>{job.retry.attempts} tries</span>}
    </div>
  );
}

function Jobs() {
  const jobs = useLoad(async () => (await body(api.jobs.$get())).jobs, [], 10_000);
  const channels = useLoad(async () => (await body(api.channels.$get())).channels);
  const sessions = useLoad(async () => (await body(api.sessions.$get({ query: { limit: "500" } }))).sessions);
  const [adding, setAdding] = useState(false);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(openParam);
  const [runsVersion, setRunsVersion] = useState(0);
  const names = new Map((channels.data ?? []).map((c) => [c.id, c.name]));
  const channelName = (id: string) => names.get(id) ?? id;
  const senderName = (channelId: string, id: string) => sessions.data?.find((s) => s.channelId === channelId && s.senderId === id)?.senderName ?? id;

  const { error, act } = useRowActions(jobs.reload);

  return (
    <section>
      <div class="toolbar">
        <button type="button" disabled={adding} onClick={() => setAdding(true)}>
          New job
        </button>
      </div>
      <ErrorBanner error={error ?? jobs.error ?? channels.error} />
      {adding && (
        <JobForm
          channels={channels.data ?? []}
          onCancel={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            void jobs.reload();
          }}
        />
      )}
      {(jobs.data ?? []).length === 0 ? (
        <Empty>
          {jobs.loading && !jobs.data
            ? "Loading…"
            : "No scheduled jobs yet. A job runs prompts on a schedule (a daily digest, a weekly check) and can send the answer to someone on a channel."}
        </Empty>
      ) : (
        <ul class="rows" aria-label="Scheduled jobs">
          {jobs.data?.map((j) => {
            const param = { id: j.id };
            if (editingId === j.id)
              return (
                <li key={j.id} class="row" data-job={j.name}>
                  <JobForm
                    job={j}
                    channels={channels.data ?? []}
                    onCancel={() => setEditingId(null)}
                    onSaved={() => {
                      setEditingId(null);
                      void jobs.reload();
                    }}
                  />
                </li>
              );
            return (
              <li key={j.id} class="row" data-job={j.name} data-status={j.status}>
                <div class="main">
                  <button type="button" class="link" aria-expanded={openId === j.id} onClick={() => setOpenId(openId === j.id ? null : j.id)}>
                    {j.name}
                  </button>
                  <JobMeta job={j} channelName={channelName} senderName={senderName} />
                </div>
                <Badge tone={j.status === "active" ? "ok" : "muted"}>{j.status}</Badge>
                <div class="actions">
                  <button
                    type="button"
                    class="ghost"
                    onClick={() =>
                      void act(async () => {
                        await body(api.jobs[":id"].run.$post({ param }));
                        setOpenId(j.id);
                        setRunsVersion((v) => v + 1);
                      })
                    }
                  >
                    Run now
                  </button>
                  <button type="button" class="ghost" onClick={() => setEditingId(j.id)}>
                    Edit
                  </button>
                  {j.status === "active" ? (
                    <button type="button" class="ghost" onClick={() => void act(() => body(api.jobs[":id"].pause.$post({ param })))}>
                      Pause
                    </button>
                  ) : (
                    <button type="button" class="ghost" onClick={() => void act(() => body(api.jobs[":id"].resume.$post({ param })))}>
                      Resume
                    </button>
                  )}
                  <ConfirmButton
                    label="Delete"
                    confirmLabel="Delete job and its history"
                    onConfirm={() => act(() => body(api.jobs[":id"].$delete({ param })))}
                  />
                </div>
                {openId === j.id && (
                  <div class="row-detail">
                    <ol class="plain-steps">
                      {j.steps.map((s, i) => (
                        <li key={i}>
                          {s.model && <code>{s.model}</code>} {s.prompt}
                        </li>
                      ))}
                    </ol>
                    <JobRuns jobId={j.id} timezone={j.timezone} refreshKey={runsVersion} />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/jobs", title: "Scheduled jobs", order: 55, component: Jobs };
