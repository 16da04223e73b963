/**
 * Loop tasks: start one, watch its iterations, stop, resume, edit or delete it. A task's state
 * reads in words from its end reason ("goal reached", "stopped: no progress"), never a bare
 * "completed" beside a contradicting reason; a task that reached its goal is edited before it
 * runs again, and a re-run says how many iterations it may take.
 */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import { LOOP_END_REASONS } from "../feed/event-sentence";
import { openParam } from "../shell/router";
import type { ScreenDef } from "../shell/screens";
import { type Task, TaskForm } from "../tasks/task-form";
import { TaskOutput } from "../tasks/task-output";
import { useRowActions } from "../ui/actions";
import { Badge, ConfirmButton, Empty, ErrorBanner } from "../ui/widgets";
import { timeAgo, usd } from "../ui/format";
import { useLoad } from "../ui/use-load";

type Tone = "ok" | "warn" | "bad" | "muted";

/** The badge: the task's state as its end reason tells it. */
function taskState(t: Pick<Task, "status" | "stopReason">): { tone: Tone; label: string } {
  if (t.status === "running") return { tone: "warn", label: "running" };
  switch (t.stopReason) {
    case "completed":
      return { tone: "ok", label: "goal reached" };
    case "max_iterations":
      return { tone: "muted", label: "ran all iterations" };
    case "cost_cap":
      return { tone: "warn", label: "cost cap reached" };
    case "no_progress":
      return { tone: "warn", label: "stopped: no progress" };
    case "budget":
      return { tone: "warn", label: "paused: budget spent" };
    case "stopped":
      return { tone: "muted", label: "stopped by you" };
    case "edited":
      return { tone: "muted", label: "edited: ready to run" };
    case "error":
      return { tone: "bad", label: "failed" };
    default:
      return { tone: t.status === "failed" ? "bad" : "muted", label: t.status };
  }
}

function endedBecause(reason: string): string {
  if (reason === "edited") return "edited since it last ran";
  if (reason === "stopped") return "stopped by you";
  return LOOP_END_REASONS[reason] ?? reason.replace(/_/g, " ");
}

function Tasks() {
  const tasks = useLoad(async () => (await body(api.tasks.$get())).tasks, [], 3000);
  const [adding, setAdding] = useState(false);
  const [openId, setOpenId] = useState<number | null>(() => {
    const id = openParam();
    return id && /^\d+$/.test(id) ? Number(id) : null;
  });
  const [editingId, setEditingId] = useState<number | null>(null);

  const { error, act } = useRowActions(tasks.reload);

  return (
    <section>
      <div class="toolbar">
        <button type="button" disabled={adding} onClick={() => setAdding(true)}>
          New task
        </button>
      </div>
      <ErrorBanner error={error ?? tasks.error} />
      {adding && (
        <TaskForm
          onCancel={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            void tasks.reload();
          }}
        />
      )}
      {(tasks.data ?? []).length === 0 ? (
        <Empty>
          {tasks.loading && !tasks.data
            ? "Loading…"
            : "No loop tasks yet. A loop task has the agent work on one prompt over and over, each time from its previous answer, until it says it is done or a limit (iterations, cost, no progress) stops it: for drafts to refine, lists to complete, research to deepen."}
        </Empty>
      ) : (
        <ul class="rows" aria-label="Loop tasks">
          {tasks.data?.map((t) => {
            const id = String(t.id);
            const state = taskState(t);
            if (editingId === t.id)
              return (
                <li key={t.id} class="row" data-task={t.name}>
                  <TaskForm
                    task={t}
                    onCancel={() => setEditingId(null)}
                    onSaved={() => {
                      setEditingId(null);
                      void tasks.reload();
                    }}
                  />
                </li>
              );
            return (
              <li key={t.id} class="row" data-task={t.name} data-status={t.status} data-stop-reason={t.stopReason ?? ""}>
                <div class="main">
                  <button type="button" class="link" onClick={() => setOpenId(openId === t.id ? null : t.id)}>
                    {t.name}
                  </button>
                  <div class="meta">
                    <span data-iterations>
                      {t.iterations} {t.iterations === 1 ? "iteration" : "iterations"} · up to {t.maxIterations} per run
                    </span>
                    <span>
                      {usd(t.costUsd)}
                      {t.costCapUsd ? ` (cap ${usd(t.costCapUsd)} per run)` : ""}
                    </span>
                    <span>updated {timeAgo(t.updatedAt)}</span>
                    {t.status !== "running" && t.stopReason && <span>ended: {endedBecause(t.stopReason)}</span>}
                  </div>
                  {t.lastError && <small class="error-text">{t.lastError}</small>}
                </div>
                <Badge tone={state.tone}>{state.label}</Badge>
                <div class="actions">
                  {t.status === "running" ? (
                    <button type="button" class="ghost" onClick={() => void act(() => body(api.tasks[":id"].stop.$post({ param: { id } })))}>
                      Stop
                    </button>
                  ) : t.stopReason === "completed" ? null : (
                    <button type="button" class="ghost" onClick={() => void act(() => body(api.tasks[":id"].start.$post({ param: { id } })))}>
                      {t.stopReason === "stopped" || t.stopReason === "budget" ? "Resume" : `Run again (up to ${t.maxIterations} more)`}
                    </button>
                  )}
                  {t.status !== "running" && (
                    <button type="button" class="ghost" onClick={() => setEditingId(t.id)}>
                      Edit
                    </button>
                  )}
                  <ConfirmButton label="Delete" confirmLabel="Delete task" onConfirm={() => act(() => body(api.tasks[":id"].$delete({ param: { id } })))} />
                </div>
                {t.stopReason === "completed" && (
                  <small class="hint">The agent said the goal is reached. Edit the prompt to give it a new goal, then run it again.</small>
                )}
                {openId === t.id && (
                  <div class="row-detail">
                    <TaskOutput taskId={t.id} running={t.status === "running"} />
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

export const screen: ScreenDef = { path: "/tasks", title: "Loop tasks", order: 50, component: Tasks };
