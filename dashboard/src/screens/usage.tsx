/** Usage: what the agent's model calls cost, per day, model, channel and sender; cache savings; today's budgets. */
import { useMemo, useState } from "preact/hooks";
import type { ScreenDef } from "../shell/screens";
import { Empty, ErrorBanner, Stat } from "../ui/widgets";
import { compact, percent, usd } from "../ui/format";
import { useLoad } from "../ui/use-load";
import { type BarItem, BarList } from "../usage/bar-list";
import { Budgets } from "../usage/budgets";
import { CacheCard } from "../usage/cache-card";
import { DailyChart, daysBetween } from "../usage/daily-chart";
import { loadUsage, RANGES, type UsageData } from "../usage/load-usage";
import { RecentCalls } from "../usage/recent-calls";

type Measure = "cost" | "tokens";

const TOKEN_SERIES = [
  { key: "inputTokens", label: "Uncached input" },
  { key: "cacheWriteTokens", label: "Cache writes" },
  { key: "cacheReadTokens", label: "Cache reads" },
  { key: "outputTokens", label: "Output" },
];

interface Figures {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  calls: number;
}
const ZERO = {
  calls: 0,
  errors: 0,
  runs: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheWriteTokens: 0,
  cacheReadTokens: 0,
  costUsd: 0,
  cacheSavingsUsd: 0,
  avgLatencyMs: 0,
  cacheHitRatio: 0,
};
const tokensOf = (f: Figures) => f.inputTokens + f.cacheWriteTokens + f.cacheReadTokens + f.outputTokens;
const detail = (f: Figures) => `${f.calls} calls · ${compact(tokensOf(f))} tokens · ${usd(f.costUsd)}`;

function rankings(data: UsageData, measure: Measure) {
  const value = (f: Figures) => (measure === "cost" ? f.costUsd : tokensOf(f));
  const items = (rows: (Figures & { key: string; label: string })[]): BarItem[] =>
    rows.map((r) => ({ key: r.key, label: r.label, value: value(r), detail: detail(r) })).sort((a, b) => b.value - a.value);
  return {
    models: items(data.models.map((m) => ({ ...m, key: m.model, label: m.model }))),
    channels: items(data.channels.map((c) => ({ ...c, key: c.channelId, label: data.channelName(c.channelId) }))),
    senders: items(data.senders.map((s) => ({ ...s, key: `${s.channelId}:${s.senderId}`, label: `${s.senderId} · ${data.channelName(s.channelId)}` }))),
  };
}

function Usage() {
  const [days, setDays] = useState(30);
  const [measure, setMeasure] = useState<Measure>("cost");
  const usage = useLoad(() => loadUsage(days), [days], 30_000);
  const data = usage.data;

  const daily = useMemo(() => {
    if (!data) return null;
    const values = new Map<string, Record<string, number>>(data.days.map(({ day, ...figures }) => [day, figures]));
    return { days: daysBetween(data.from, data.now), values };
  }, [data]);
  const ranked = useMemo(() => (data ? rankings(data, measure) : null), [data, measure]);
  const format = measure === "cost" ? usd : compact;
  // The API leaves a figure out when it has no rows to sum; every figure shown is then zero.
  const t = data ? { ...ZERO, ...data.summary.totals } : undefined;

  return (
    <section>
      <div class="toolbar">
        <label class="inline">
          <span>Range</span>
          <select name="range" value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {RANGES.map((r) => (
              <option key={r.days} value={String(r.days)}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          <span>Rank by</span>
          <select name="measure" value={measure} onChange={(e) => setMeasure(e.currentTarget.value as Measure)}>
            <option value="cost">Cost</option>
            <option value="tokens">Tokens</option>
          </select>
        </label>
      </div>
      <ErrorBanner error={usage.error} />
      {!data || !t || !daily || !ranked ? (
        <Empty>{usage.loading ? "Loading…" : "No usage figures."}</Empty>
      ) : (
        <>
          <div class="stats" aria-label="Usage totals">
            <Stat label="Cost" hint="estimated from list prices">
              <span data-total="cost">{usd(t.costUsd)}</span>
            </Stat>
            <Stat label="Model calls" hint={`${t.runs} answers through the model${t.errors ? ` · ${t.errors} failed` : ""}`}>
              <span data-total="calls">{t.calls}</span>
            </Stat>
            <Stat
              label="Messages answered"
              hint={data.summary.replies.offlineEcho ? `${data.summary.replies.offlineEcho} by the offline echo (no model, no cost)` : "by the agent"}
            >
              <span data-total="replies">{data.summary.replies.total}</span>
            </Stat>
            <Stat label="Tokens" hint={`${compact(t.inputTokens + t.cacheWriteTokens + t.cacheReadTokens)} in · ${compact(t.outputTokens)} out`}>
              <span data-total="tokens">{compact(tokensOf(t))}</span>
            </Stat>
            <Stat label="From the cache" hint={`saved ${usd(t.cacheSavingsUsd)}`}>
              {percent(t.cacheHitRatio)}
            </Stat>
            <Stat label="Average latency">{t.avgLatencyMs} ms</Stat>
          </div>
          <div class="grid-2">
            <DailyChart title="Tokens per day" days={daily.days} values={daily.values} series={TOKEN_SERIES} format={compact} />
            <DailyChart title="Cost per day" days={daily.days} values={daily.values} series={[{ key: "costUsd", label: "Cost" }]} format={usd} />
          </div>
          <div class="grid-2">
            <Budgets data={data} />
            <CacheCard cache={data.cache} />
          </div>
          {t.calls === 0 && data.summary.replies.offlineEcho > 0 && (
            <p class="banner warn" data-offline-echo>
              The {data.summary.replies.offlineEcho} answers in this range came from the offline echo: no ANTHROPIC_API_KEY is set, so no model was called and
              nothing was spent. Model figures appear here once a key is configured.
            </p>
          )}
          <div class="grid-3">
            <BarList
              title="Per model"
              items={ranked.models}
              format={format}
              empty={data.summary.replies.total ? "No model calls in this range." : "No model calls yet."}
            />
            <BarList
              title="Per channel"
              items={ranked.channels}
              format={format}
              empty={data.summary.replies.total ? "No channel used the model in this range." : "No channel used the agent yet."}
            />
            <BarList
              title="Top senders"
              items={ranked.senders}
              format={format}
              empty={data.summary.replies.total ? "No sender used the model in this range." : "No sender used the agent yet."}
            />
          </div>
          <RecentCalls data={data} />
        </>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/usage", title: "Usage", order: 60, component: Usage };
