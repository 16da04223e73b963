/**
 * Scheduling a job, or editing one (PUT /api/jobs/:id): a cron expression in a time zone (with
 * its next run times shown as you type, and a bad field marked at once), the recipe's steps,
 * where the result goes (a channel and one of the people known on it), what happens to runs
 * missed while the gateway was down, and retries. The API's errors show under their field.
 */
import { useMemo, useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { Channel, Job } from "../api/types";
import { useSubmit } from "../ui/actions";
import { fieldError } from "../ui/field-error";
import { FormFooter } from "../ui/form-footer";
import { browserZone } from "../ui/format";
import { RecipientPicker } from "./recipient-picker";
import { type StepDraft, StepsEditor } from "./steps-editor";
import { inZone, useCronPreview } from "./use-cron-preview";

/** API field paths and the field of this form that shows their errors. */
const FIELDS = { name: "name", cron: "cron", timezone: "timezone", steps: "steps", "deliverTo.channelId": "deliverTo", deliverTo: "recipient", retry: "retry" };

function FieldMessage({ field, error }: { field: string; error: ReturnType<typeof fieldError> }) {
  if (error?.field !== field) return null;
  return (
    <small class="error-text" role="alert" data-field-error={field}>
      {error.text}
    </small>
  );
}

function zones(): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return ["UTC", ...supported.filter((z) => z !== "UTC")];
}

export function JobForm({ channels, job, onSaved, onCancel }: { channels: Channel[]; job?: Job; onSaved: () => void; onCancel: () => void }) {
  const [name, setName] = useState(job?.name ?? "");
  const [cron, setCron] = useState(job?.cron ?? "0 9 * * MON-FRI");
  const [timezone, setTimezone] = useState(job?.timezone ?? browserZone());
  const [steps, setSteps] = useState<StepDraft[]>(job ? job.steps.map((s) => ({ prompt: s.prompt, model: s.model ?? "" })) : [{ prompt: "", model: "" }]);
  const [channelId, setChannelId] = useState(job?.deliverTo?.channelId ?? "");
  const [recipient, setRecipient] = useState(job?.deliverTo?.recipient ?? "");
  const [catchUp, setCatchUp] = useState<"skip" | "run-once">(job?.catchUp ?? "skip");
  const [attempts, setAttempts] = useState(String(job?.retry.attempts ?? 1));
  const [backoffSeconds, setBackoffSeconds] = useState(String(job?.retry.backoffSeconds ?? 60));
  const preview = useCronPreview(cron, timezone);
  const zoneList = useMemo(zones, []);

  const zoneError = preview.kind === "error" && preview.field === "timezone" ? preview.error : null;
  const cronError = preview.kind === "error" && preview.field !== "timezone" ? preview.error : null;

  const { busy, error, submit } = useSubmit(async () => {
    const json = {
      name: name.trim(),
      cron: cron.trim(),
      timezone: timezone.trim() || undefined,
      // Server tools of a step are kept as they were: this form does not edit them.
      steps: steps.map((s, i) => ({ ...job?.steps[i], prompt: s.prompt.trim(), model: s.model.trim() || undefined })),
      catchUp,
      retry: { attempts: Number(attempts), backoffSeconds: Number(backoffSeconds) },
    };
    const deliverTo = channelId ? { channelId, recipient: recipient.trim() } : undefined;
    if (job) await body(api.jobs[":id"].$put({ param: { id: job.id }, json: { ...json, deliverTo: deliverTo ?? null } }));
    else await body(api.jobs.$post({ json: { ...json, deliverTo } }));
    onSaved();
  });
  const failure = fieldError(error, FIELDS);
  const title = job ? `Edit ${job.name}` : "New scheduled job";

  return (
    <form class="card" onSubmit={submit} aria-label={job ? "Edit scheduled job" : "New scheduled job"}>
      <h2>{title}</h2>
      <label class="field">
        <span>Name</span>
        <input name="name" type="text" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <FieldMessage field="name" error={failure} />
      </label>
      <div class="grid-2 tight">
        <label class="field">
          <span>Cron expression</span>
          <input
            name="cron"
            type="text"
            required
            spellcheck={false}
            autocomplete="off"
            class="mono"
            value={cron}
            aria-invalid={cronError ? true : undefined}
            aria-describedby="cron-help"
            onInput={(e) => setCron(e.currentTarget.value)}
          />
          {cronError ? (
            <small id="cron-help" class="error-text" role="alert" data-field-error="cron">
              {cronError}
            </small>
          ) : (
            <small id="cron-help">minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly…</small>
          )}
        </label>
        <label class="field">
          <span>Time zone</span>
          <input
            name="timezone"
            type="text"
            list="time-zones"
            spellcheck={false}
            value={timezone}
            aria-invalid={zoneError ? true : undefined}
            onInput={(e) => setTimezone(e.currentTarget.value)}
          />
          <datalist id="time-zones">
            {zoneList.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          {zoneError && (
            <small class="error-text" role="alert" data-field-error="timezone">
              {zoneError}
            </small>
          )}
        </label>
      </div>
      <div class="next-runs" aria-label="Next runs" aria-live="polite">
        {preview.kind === "ok" && (
          <>
            <span class="muted">Next runs ({preview.timezone}):</span>
            <ol>
              {preview.next.map((t) => (
                <li key={t}>
                  <time dateTime={t}>{inZone(t, preview.timezone)}</time>
                </li>
              ))}
            </ol>
          </>
        )}
        {preview.kind === "checking" && <span class="muted">Checking…</span>}
      </div>
      <StepsEditor steps={steps} onChange={setSteps} />
      <FieldMessage field="steps" error={failure} />
      <div class="grid-2 tight">
        <label class="field">
          <span>Deliver the result to</span>
          <select
            name="deliverChannel"
            value={channelId}
            onChange={(e) => {
              setChannelId(e.currentTarget.value);
              setRecipient("");
            }}
          >
            <option value="">Nobody: keep it in the run history</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <FieldMessage field="deliverTo" error={failure} />
        </label>
        {channelId && (
          <div class="field">
            <RecipientPicker channelId={channelId} value={recipient} onChange={setRecipient} />
            <FieldMessage field="recipient" error={failure} />
          </div>
        )}
      </div>
      <div class="toolbar">
        <label class="inline">
          <span>Runs missed while the gateway was down</span>
          <select name="catchUp" value={catchUp} onChange={(e) => setCatchUp(e.currentTarget.value as "skip" | "run-once")}>
            <option value="skip">Leave them out</option>
            <option value="run-once">Run once to catch up</option>
          </select>
        </label>
        <label class="inline">
          <span>Tries</span>
          <input
            name="retryAttempts"
            type="number"
            min={1}
            max={10}
            required
            value={attempts}
            style={{ width: "5em" }}
            onInput={(e) => setAttempts(e.currentTarget.value)}
          />
        </label>
        <label class="inline">
          <span>First retry after (s)</span>
          <input
            name="retryBackoff"
            type="number"
            min={0}
            max={86400}
            required
            value={backoffSeconds}
            style={{ width: "6em" }}
            onInput={(e) => setBackoffSeconds(e.currentTarget.value)}
          />
        </label>
      </div>
      <FieldMessage field="retry" error={failure} />
      <FormFooter
        error={failure?.field ? null : error}
        busy={busy}
        label={job ? "Save changes" : "Schedule job"}
        busyLabel={job ? "Saving…" : "Scheduling…"}
        blocked={preview.kind === "error"}
        onCancel={onCancel}
      />
    </form>
  );
}
