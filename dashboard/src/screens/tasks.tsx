/** Loop tasks: start one, watch its iterations, stop, resume or delete it. */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { ScreenDef } from "../shell/screens";
import { NewTaskForm } from "../tasks/new-task-form";
import { TaskOutput } from "../tasks/task-output";
import { useRowActions } from "../ui/actions";
import { Badge, ConfirmButton, Empty, ErrorBanner } from "../ui/widgets";
import { timeAgo, usd } from "../ui/format";
import { useLoad } from "../ui/use-load";

const TONE = { running: "warn", completed: "ok", stopped: "muted", failed: "bad" } as const;

function Tasks() {
  const tasks = useLoad(async () => (await body(api.tasks.$get())).tasks, [], 3000);
  const [adding, setAdding] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);

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
        <NewTaskForm
          onCancel={() => setAdding(false)}
          onCreated={() => {
            setAdding(false);
            void tasks.reload();
          }}
        />
      )}
      {(tasks.data ?? []).length === 0 ? (
        <Empty>{tasks.loading && !tasks.data ? "Loading…" : "No loop tasks yet."}</Empty>
      ) : (
        <ul class="rows" aria-label="Loop tasks">
          {tasks.data?.map((t) => {
            const id = String(t.id);
            return (
              <li key={t.id} class="row" data-task={t.name} data-status={t.status}>
                <div class="main">
                  <button type="button" class="link" onClick={() => setOpenId(openId === t.id ? null : t.id)}>
                    {t.name}
                  </button>
                  <div class="meta">
                    <span>
                      {t.iterations} / {t.maxIterations} iterations
                    </span>
                    <span>
                      {usd(t.costUsd)}
                      {t.costCapUsd ? ` of ${usd(t.costCapUsd)}` : ""}
                    </span>
                    <span>updated {timeAgo(t.updatedAt)}</span>
                    {t.stopReason && <span>ended: {t.stopReason.replace("_", " ")}</span>}
                  </div>
                  {t.lastError && <small class="error-text">{t.lastError}</small>}
                </div>
                <Badge tone={TONE[t.status]}>{t.status}</Badge>
                <div class="actions">
                  {t.status === "running" ? (
                    <button type="button" class="ghost" onClick={() => void act(() => body(api.tasks[":id"].stop.$post({ param: { id } })))}>
                      Stop
                    </button>
                  ) : (
                    <button type="button" class="ghost" onClick={() => void act(() => body(api.tasks[":id"].start.$post({ param: { id } })))}>
                      Resume
                    </button>
                  )}
                  <ConfirmButton label="Delete" confirmLabel="Delete task" onConfirm={() => act(() => body(api.tasks[":id"].$delete({ param: { id } })))} />
                </div>
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
