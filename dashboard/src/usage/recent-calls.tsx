/** The newest model calls: when, who, which model, tokens, cost, latency, and the error of a failed one. */
import { Badge } from "../ui/widgets";
import { compact, timeAgo, usd } from "../ui/format";
import type { UsageData } from "./load-usage";

export function RecentCalls({ data }: { data: UsageData }) {
  return (
    <section class="card spaced" aria-label="Recent calls">
      <h2>Recent model calls</h2>
      {data.calls.length === 0 ? (
        <p class="muted">No model calls in this range.</p>
      ) : (
        <ul class="rows compact">
          {data.calls.map((c) => (
            <li key={c.id} class="row">
              <div class="main">
                <strong>{c.senderId}</strong> <span class="muted">· {data.channelName(c.channelId)}</span>
                <div class="meta">
                  <span>{timeAgo(c.createdAt, data.now)}</span>
                  <span>{c.model}</span>
                  <span>
                    {compact(c.inputTokens)} in · {c.cacheWriteTokens > 0 && `${compact(c.cacheWriteTokens)} to cache · `}
                    {compact(c.cacheReadTokens)} from cache · {compact(c.outputTokens)} out
                  </span>
                  <span>{usd(c.costUsd)}</span>
                  <span>{c.latencyMs} ms</span>
                  {c.purpose === "compaction" && <span>compaction</span>}
                </div>
                {c.error && <small class="error-text">{c.error}</small>}
              </div>
              <Badge tone={c.status === "ok" ? "ok" : "bad"}>{c.status}</Badge>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
