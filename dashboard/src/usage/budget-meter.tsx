/** One daily cap and how close today's spend is to it; a cap of 0 is off. */
import { percent } from "../ui/format";

export function BudgetMeter({
  label,
  used,
  limit,
  format,
  note,
}: {
  label: string;
  used: number;
  limit: number;
  format: (n: number) => string;
  note?: string;
}) {
  const fraction = limit > 0 ? used / limit : 0;
  const tone = limit <= 0 ? "muted" : fraction >= 1 ? "bad" : fraction >= 0.75 ? "warn" : "ok";
  return (
    <div class="meter" data-budget={label} data-tone={tone}>
      <div class="bar-head">
        <span>{label}</span>
        <strong>{limit > 0 ? `${format(used)} of ${format(limit)} · ${percent(fraction)}` : "no cap"}</strong>
      </div>
      <div class="bar-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit || 1} aria-valuenow={Math.min(used, limit || 1)}>
        <div class={`bar-fill ${tone}`} style={{ width: `${Math.min(100, fraction * 100)}%` }} />
      </div>
      {note && <small>{note}</small>}
    </div>
  );
}
