/**
 * Per-day stacked bars as inline SVG: no chart library, scales to any width (360 px included),
 * one <title> per day for the exact figures, and a legend with each series' total. A range
 * without any figure says "no data yet" instead of drawing an empty box.
 */
export interface ChartSeries {
  key: string;
  label: string;
}

export interface DailyChartProps {
  /** Accessible name, e.g. "Tokens per day". */
  title: string;
  /** Every day of the range, oldest first (YYYY-MM-DD, UTC), including days without calls. */
  days: string[];
  /** The figures of a day by series key; missing days count as zero. */
  values: Map<string, Record<string, number>>;
  series: ChartSeries[];
  format: (n: number) => string;
}

const BAR_STEP = 10;
const BAR_WIDTH = 7;

export function DailyChart({ title, days, values, series, format }: DailyChartProps) {
  const stacks = days.map((day) => series.map((s) => values.get(day)?.[s.key] ?? 0));
  const max = Math.max(0, ...stacks.map((parts) => parts.reduce((a, b) => a + b, 0)));
  const totals = series.map((_, i) => stacks.reduce((sum, parts) => sum + (parts[i] ?? 0), 0));
  const height = (v: number) => (max ? (v / max) * 100 : 0);

  return (
    <figure class="chart" data-chart={title}>
      <figcaption>
        <strong>{title}</strong>
        <span class="muted">peak {format(max)} a day</span>
      </figcaption>
      {max === 0 ? (
        <div class="chart-empty" role="img" aria-label={`${title}: no data yet`} data-empty>
          No data yet: bars appear once the agent has answered through the model in this range.
        </div>
      ) : (
        <svg
          viewBox={`0 0 ${days.length * BAR_STEP} 100`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`${title}: ${series.map((s, i) => `${s.label} ${format(totals[i] ?? 0)}`).join(", ")}`}
        >
          <line x1="0" y1="100" x2={days.length * BAR_STEP} y2="100" class="axis" />
          {days.map((day, i) => {
            let base = 100;
            const parts = stacks[i] ?? [];
            return (
              <g key={day}>
                <title>{`${day}: ${series.map((s, j) => `${s.label} ${format(parts[j] ?? 0)}`).join(", ")}`}</title>
                {/* A full-height transparent target, so thin days still show their figures on hover. */}
                <rect x={i * BAR_STEP} y="0" width={BAR_STEP} height="100" class="hit" />
                {parts.map((v, j) => {
                  const h = height(v);
                  base -= h;
                  return h > 0 ? <rect key={j} x={i * BAR_STEP + (BAR_STEP - BAR_WIDTH) / 2} y={base} width={BAR_WIDTH} height={h} class={`s${j}`} /> : null;
                })}
              </g>
            );
          })}
        </svg>
      )}
      <div class="chart-axis muted">
        <span>{days[0]}</span>
        <span>{days.at(-1)}</span>
      </div>
      <ul class="legend">
        {series.map((s, i) => (
          <li key={s.key}>
            <span class={`swatch s${i}`} aria-hidden="true" />
            {s.label} <strong>{format(totals[i] ?? 0)}</strong>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Every UTC day from `from` to `to` inclusive, as YYYY-MM-DD. */
export function daysBetween(from: number, to: number): string[] {
  const out: string[] = [];
  const DAY_MS = 86_400_000;
  for (let t = from - (from % DAY_MS); t <= to; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
