/** What prompt caching saved: the share of prompt tokens read from the cache and the money that made, per model. */
import { compact, percent, usd } from "../ui/format";
import type { UsageData } from "./load-usage";

export function CacheCard({ cache }: { cache: UsageData["cache"] }) {
  return (
    <section class="card" aria-label="Cache savings">
      <h2>Cache savings</h2>
      <dl class="kv">
        <dt>Prompt tokens from the cache</dt>
        <dd data-figure="hit-ratio">{percent(cache.hitRatio)}</dd>
        <dt>Read / written / uncached</dt>
        <dd>
          {compact(cache.cacheReadTokens)} / {compact(cache.cacheWriteTokens)} / {compact(cache.uncachedInputTokens)}
        </dd>
        <dt>Saved</dt>
        <dd data-figure="saved">
          {usd(cache.savedUsd)} <span class="muted">of {usd(cache.costWithoutCacheUsd)} without caching</span>
        </dd>
      </dl>
      {cache.models.length > 1 && (
        <ul class="plain">
          {cache.models.map((m) => (
            <li key={m.model}>
              <code>{m.model}</code> {percent(m.hitRatio)} from the cache, saved {usd(m.savedUsd)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
