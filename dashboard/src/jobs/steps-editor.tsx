/** A job's recipe: ordered prompts, each with an optional model; the steps run as one conversation. */
export interface StepDraft {
  prompt: string;
  model: string;
}

const MAX_STEPS = 20;

export function StepsEditor({ steps, onChange }: { steps: StepDraft[]; onChange: (steps: StepDraft[]) => void }) {
  const update = (i: number, patch: Partial<StepDraft>) => onChange(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  return (
    <fieldset class="steps">
      <legend>Steps</legend>
      <small>Each step sees the earlier steps' prompts and answers; the last answer is the run's result.</small>
      <ol>
        {steps.map((step, i) => (
          <li key={i}>
            <label class="field">
              <span>Step {i + 1} prompt</span>
              <textarea name={`step-${i}-prompt`} required value={step.prompt} onInput={(e) => update(i, { prompt: e.currentTarget.value })} />
            </label>
            <div class="toolbar">
              <label class="inline">
                <span>Model</span>
                <input
                  name={`step-${i}-model`}
                  type="text"
                  placeholder="gateway default"
                  value={step.model}
                  onInput={(e) => update(i, { model: e.currentTarget.value })}
                />
              </label>
              {steps.length > 1 && (
                <button type="button" class="ghost small" onClick={() => onChange(steps.filter((_, j) => j !== i))}>
                  Remove step {i + 1}
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
      {steps.length < MAX_STEPS && (
        <button type="button" class="ghost small" onClick={() => onChange([...steps, { prompt: "", model: "" }])}>
          Add step
        </button>
      )}
    </fieldset>
  );
}
