/** Starting a loop task: a prompt the agent re-reads, with its previous output, until it says it is done or a limit stops it. */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import { useSubmit } from "../ui/actions";
import { FormFooter } from "../ui/form-footer";

export function NewTaskForm({ onCreated, onCancel }: { onCreated: () => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [prompt, setPrompt] = useState("");
  const [maxIterations, setMaxIterations] = useState("10");
  const [completionPromise, setCompletionPromise] = useState("");
  const [costCap, setCostCap] = useState("");
  const [noProgressLimit, setNoProgressLimit] = useState("");

  const { busy, error, submit } = useSubmit(async () => {
    await body(
      api.tasks.$post({
        json: {
          name: name.trim(),
          prompt: prompt.trim(),
          maxIterations: Number(maxIterations),
          completionPromise: completionPromise.trim() || undefined,
          costCapUsd: costCap.trim() ? Number(costCap) : undefined,
          noProgressLimit: noProgressLimit.trim() ? Number(noProgressLimit) : undefined,
        },
      }),
    );
    onCreated();
  });

  return (
    <form class="card" onSubmit={submit} aria-label="New loop task">
      <h2>New loop task</h2>
      <label class="field">
        <span>Name</span>
        <input name="name" type="text" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Prompt</span>
        <textarea name="prompt" required value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
        <small>Re-read every iteration together with the previous output.</small>
      </label>
      <div class="toolbar">
        <label class="inline">
          <span>Max iterations</span>
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
      <FormFooter error={error} busy={busy} label="Start task" busyLabel="Starting…" onCancel={onCancel} />
    </form>
  );
}
