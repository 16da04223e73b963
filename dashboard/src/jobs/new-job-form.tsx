/**
 * Scheduling a job: a cron expression in a time zone (with its next run times shown as you
 * type, and a bad field marked at once), the recipe's steps, where the result goes, what
 * happens to runs missed while the gateway was down, and retries.
 */
import { useMemo, useState } from "preact/hooks";
import { api, body } from "../api/client";
import type { Channel } from "../api/types";
import { useSubmit } from "../ui/actions";
import { FormFooter } from "../ui/form-footer";
import { type StepDraft, StepsEditor } from "./steps-editor";
import { inZone, useCronPreview } from "./use-cron-preview";

function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

function zones(): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return ["UTC", ...supported.filter((z) => z !== "UTC")];
}

export function NewJobForm({ channels, onCreated, onCancel }: { channels: Channel[]; onCreated: () => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [cron, setCron] = useState("0 9 * * MON-FRI");
  const [timezone, setTimezone] = useState(browserZone);
  const [steps, setSteps] = useState<StepDraft[]>([{ prompt: "", model: "" }]);
  const [channelId, setChannelId] = useState("");
  const [recipient, setRecipient] = useState("");
  const [catchUp, setCatchUp] = useState<"skip" | "run-once">("skip");
  const [attempts, setAttempts] = useState("1");
  const [backoffSeconds, setBackoffSeconds] = useState("60");
  const preview = useCronPreview(cron, timezone);
  const zoneList = useMemo(zones, []);

  const zoneError = preview.kind === "error" && preview.field === "timezone" ? preview.error : null;
  const cronError = preview.kind === "error" && preview.field !== "timezone" ? preview.error : null;

  const { busy, error, submit } = useSubmit(async () => {
    await body(
      api.jobs.$post({
        json: {
          name: name.trim(),
          cron: cron.trim(),
          timezone: timezone.trim() || undefined,
          steps: steps.map((s) => ({ prompt: s.prompt.trim(), model: s.model.trim() || undefined })),
          deliverTo: channelId ? { channelId, recipient: recipient.trim() } : undefined,
          catchUp,
          retry: { attempts: Number(attempts), backoffSeconds: Number(backoffSeconds) },
        },
      }),
    );
    onCreated();
  });

  return (
    <form class="card" onSubmit={submit} aria-label="New scheduled job">
      <h2>New scheduled job</h2>
      <label class="field">
        <span>Name</span>
        <input name="name" type="text" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
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
      <div class="grid-2 tight">
        <label class="field">
          <span>Deliver the result to</span>
          <select name="deliverChannel" value={channelId} onChange={(e) => setChannelId(e.currentTarget.value)}>
            <option value="">Nobody: keep it in the run history</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.type})
              </option>
            ))}
          </select>
        </label>
        {channelId && (
          <label class="field">
            <span>Recipient</span>
            <input
              name="recipient"
              type="text"
              required
              placeholder="the sender's id on that channel"
              value={recipient}
              onInput={(e) => setRecipient(e.currentTarget.value)}
            />
          </label>
        )}
      </div>
      <div class="toolbar">
        <label class="inline">
          <span>Missed runs</span>
          <select name="catchUp" value={catchUp} onChange={(e) => setCatchUp(e.currentTarget.value as "skip" | "run-once")}>
            <option value="skip">Skip them</option>
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
      <FormFooter error={error} busy={busy} label="Schedule job" busyLabel="Scheduling…" blocked={preview.kind === "error"} onCancel={onCancel} />
    </form>
  );
}
