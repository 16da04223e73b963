/** Horizontal bars for a ranking (per model, channel, sender): label, bar, figure, and a detail line; wraps at phone width. */
import type { ComponentChildren } from "preact";

export interface BarItem {
  key: string;
  label: ComponentChildren;
  value: number;
  /** Secondary figures under the label (tokens, calls...). */
  detail?: string;
}

export function BarList({ title, items, format, empty }: { title: string; items: BarItem[]; format: (n: number) => string; empty: string }) {
  const max = Math.max(0, ...items.map((i) => i.value));
  return (
    <section class="card bar-list" aria-label={title}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul>
          {items.map((item) => (
            <li key={item.key} data-key={item.key}>
              <div class="bar-head">
                <span class="bar-label">{item.label}</span>
                <strong>{format(item.value)}</strong>
              </div>
              <div class="bar-track" aria-hidden="true">
                <div class="bar-fill" style={{ width: `${max ? Math.max(1, (item.value / max) * 100) : 0}%` }} />
              </div>
              {item.detail && <small>{item.detail}</small>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
