/**
 * Starting a loop task, or editing one that is not running (PATCH /api/tasks/:id): a prompt the
 * agent re-reads, with its previous output, until it says it is done or a limit stops it. The
 * API's errors show under their field.
 */
import type { InferResponseType } from "hono/client";
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import { useSubmit } from "../ui/actions";
import { fieldError } from "../ui/field-error";
import { FormFooter } from "../ui/form-footer";

export type Task = InferResponseType<(typeof api.tasks)["$get"], 200>["tasks"][number];

const FIELDS = {
  name: "name",
  prompt: "prompt",
  maxIterations: "maxIterations",
  costCapUsd: "costCapUsd",
  noProgressLimit: "noProgressLimit",
  completionPromise: "completionPromise",
};

export function TaskForm({ task, onSaved, onCancel }: { task?: Task; onSaved: () => void; onCancel: () => void }) {
  const [name, setName] = useState(task?.name ?? "");
  const [prompt, setPrompt] = useState(task?.prompt ?? "");
  const [maxIterations, setMaxIterations] = useState(String(task?.maxIterations ?? 10));
  const [completionPromise, setCompletionPromise] = useState(task?.completionPromise ?? "");
  const [costCap, setCostCap] = useState(task?.costCapUsd ? String(task.costCapUsd) : "");
  const [noProgressLimit, setNoProgressLimit] = useState(task ? String(task.noProgressLimit) : "");

  const { busy, error, submit } = useSubmit(async () => {
    const json = {
      name: name.trim(),
      prompt: prompt.trim(),
      maxIterations: Number(maxIterations),
      completionPromise: completionPromise.trim() || undefined,
      costCapUsd: costCap.trim() ? Number(costCap) : undefined,
      noProgressLimit: noProgressLimit.trim() ? Number(noProgressLimit) : undefined,
    };
    if (task) await body(api.tasks[":id"].$patch({ param: { id: String(task.id) }, json }));
    else await body(api.tasks.$post({ json }));
    onSaved();
  });
  const failure = fieldError(error, FIELDS);
  const under = (field: string) =>
    failure?.field === field && (
      <small class="error-text" role="alert" data-field-error={field}>
        {failure.text}
      </small>
    );

  return (
    <form class="card" onSubmit={submit} aria-label={task ? "Edit loop task" : "New loop task"}>
      <h2>{task ? `Edit ${task.name}` : "New loop task"}</h2>
      {!task && (
        <p class="muted">
          A loop task gives the agent the same prompt again and again, each time with its previous answer, so it can refine its work. It ends when the answer
          contains the completion phrase, after the maximum number of iterations, at the cost cap, or when answers stop changing.
        </p>
      )}
      <label class="field">
        <span>Name</span>
        <input name="name" type="text" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        {under("name")}
      </label>
      <label class="field">
        <span>Prompt</span>
        <textarea name="prompt" required value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
        <small>Re-read every iteration together with the previous output.</small>
        {under("prompt")}
      </label>
      <div class="toolbar">
        <label class="inline">
          <span>Max iterations per run</span>
          <input
            name="maxIterations"
            type="number"
            min={1}
            max={1000}
            required
            value={maxIterations}
            style={{ width: "6em" }}
            onInput={(e) => setMaxIterations(e.currentTarget.value)}
          />
        </label>
        <label class="inline">
          <span>Cost cap (USD)</span>
          <input
            name="costCapUsd"
            type="number"
            min={0}
            step="0.01"
            value={costCap}
            placeholder="none"
            style={{ width: "7em" }}
            onInput={(e) => setCostCap(e.currentTarget.value)}
          />
        </label>
        <label class="inline">
          <span>Stop after iterations without progress</span>
          <input
            name="noProgressLimit"
            type="number"
            min={1}
            max={100}
            value={noProgressLimit}
            placeholder="default"
            style={{ width: "6em" }}
            onInput={(e) => setNoProgressLimit(e.currentTarget.value)}
          />
        </label>
      </div>
      <label class="field">
        <span>
          Done when the output says <small>(optional)</small>
        </span>
        <input
          name="completionPromise"
          type="text"
          value={completionPromise}
          placeholder="the gateway's default completion phrase"
          onInput={(e) => setCompletionPromise(e.currentTarget.value)}
        />
      </label>
      {under("maxIterations")}
      {under("costCapUsd")}
      {under("noProgressLimit")}
      {under("completionPromise")}
      <FormFooter
        error={failure?.field ? null : error}
        busy={busy}
        label={task ? "Save changes" : "Start task"}
        busyLabel={task ? "Saving…" : "Starting…"}
        onCancel={onCancel}
      />
    </form>
  );
}
