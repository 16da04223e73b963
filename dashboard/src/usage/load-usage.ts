/** Everything the Usage screen shows, fetched in parallel for one date range. */
import { api, body } from "../api/client";

const DAY_MS = 86_400_000;

export const RANGES = [
  { days: 7, label: "Last 7 days" },
  { days: 30, label: "Last 30 days" },
  { days: 90, label: "Last 90 days" },
] as const;

/** Start of the UTC day `days - 1` days ago: the API's days and budgets are UTC days. */
export function rangeStart(days: number, now = Date.now()): number {
  return now - (now % DAY_MS) - (days - 1) * DAY_MS;
}

export async function loadUsage(days: number) {
  const now = Date.now();
  const range = { from: String(rangeStart(days, now)) };
  const today = { from: String(rangeStart(1, now)) };
  const [summary, daily, models, channels, senders, cache, calls, sendersToday, channelList] = await Promise.all([
    body(api.usage.$get({ query: range })),
    body(api.usage.daily.$get({ query: range })),
    body(api.usage.models.$get({ query: range })),
    body(api.usage.channels.$get({ query: range })),
    body(api.usage.senders.$get({ query: { ...range, limit: "10" } })),
    body(api.usage.cache.$get({ query: range })),
    body(api.usage.calls.$get({ query: { ...range, limit: "15" } })),
    body(api.usage.senders.$get({ query: { ...today, limit: "500" } })),
    body(api.channels.$get()),
  ]);
  const names = new Map(channelList.channels.map((c) => [c.id, c.name]));
  return {
    now,
    from: Number(range.from),
    summary,
    days: daily.days,
    models: models.models,
    channels: channels.channels,
    senders: senders.senders,
    cache,
    calls: calls.calls,
    sendersToday: sendersToday.senders,
    channelName: (id: string) => names.get(id) ?? (id === "web" ? "Web chat" : id === "scheduler" ? "Scheduler" : id),
  };
}

export type UsageData = Awaited<ReturnType<typeof loadUsage>>;
