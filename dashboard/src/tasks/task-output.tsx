/** A loop task's run history: one line per iteration, and the whole transcript. */
import { api, body } from "../api/client";
import { ErrorBanner } from "../ui/widgets";
import { usd } from "../ui/format";
import { useLoad } from "../ui/use-load";

export function TaskOutput({ taskId, running }: { taskId: number; running: boolean }) {
  const out = useLoad(() => body(api.tasks[":id"].output.$get({ param: { id: String(taskId) }, query: {} })), [taskId], running ? 3000 : undefined);
  return (
    <div class="task-output" aria-label="Task output">
      <ErrorBanner error={out.error} />
      {out.data && (
        <>
          <ol class="iterations">
            {out.data.iterations.map((i) => (
              <li key={i.iteration} class={i.status === "ok" ? "" : "error-text"}>
                #{i.iteration} {i.status} · {i.model} · {i.inputTokens} in / {i.outputTokens} out · {usd(i.costUsd)} · {i.latencyMs} ms
                {i.progress ? "" : " · no progress"}
                {i.error && ` · ${i.error}`}
              </li>
            ))}
          </ol>
          {out.data.output !== null && (
            <>
              <h3>Latest output</h3>
              <pre class="output">{out.data.output}</pre>
            </>
          )}
        </>
      )}
    </div>
  );
}
