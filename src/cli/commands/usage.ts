/**
 * `loopgate usage [--daily|--models|--channels|--senders|--cache|--calls]`: tokens, cache hits
 * and estimated cost, over `GET /api/usage` and its views.
 */
import { intOption, stringOption } from "../options";
import type { CommandSpec } from "../command";
import { unwrap } from "../connection";
import { usageError } from "../errors";
import { formatTime, renderPairs } from "../output";
import { findChannel } from "./channels";

interface Totals {
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  avgLatencyMs: number;
}

const usd = (n: number) => `$${n.toFixed(4)}`;
const TOTAL_HEADERS = ["calls", "errors", "input", "output", "cache read", "cache write", "cost", "avg ms"];
const totalCells = (t: Totals) => [t.calls, t.errors, t.inputTokens, t.outputTokens, t.cacheReadTokens, t.cacheWriteTokens, usd(t.costUsd), t.avgLatencyMs];
const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;
const VIEWS = ["daily", "models", "channels", "senders", "cache", "calls"] as const;

export const usageCommand: CommandSpec = {
  path: ["usage"],
  summary: "model usage and estimated cost: totals, or --daily, --models, --channels, --senders, --cache or --calls",
  remote: true,
  options: {
    daily: { type: "boolean", description: "one row per UTC day (default the last 30 days)" },
    models: { type: "boolean", description: "one row per model" },
    channels: { type: "boolean", description: "one row per channel" },
    senders: { type: "boolean", description: "one row per sender (channel and sender id), costliest first" },
    cache: { type: "boolean", description: "what prompt caching saved: hit ratio and cost with and without it, per model" },
    calls: { type: "boolean", description: "the most recent model calls, one row each" },
    from: { type: "string", valueName: "date", description: "from this day or instant (YYYY-MM-DD, ISO time or unix ms)" },
    to: { type: "string", valueName: "date", description: "up to (not including) this day or instant" },
    channel: { type: "string", valueName: "channel", description: "only this channel (id or name)" },
    sender: { type: "string", valueName: "id", description: "only this sender: a platform id, or job:<id> / task:<id> for scheduled work" },
    limit: { type: "string", short: "n", valueName: "n", description: "rows for --senders (default 100) and --calls (default 50), 1-500" },
  },
  async run({ values, gateway, out }) {
    const views = VIEWS.filter((v) => values[v]);
    if (views.length > 1) throw usageError(`choose one of ${VIEWS.map((v) => `--${v}`).join(", ")} (got ${views.map((v) => `--${v}`).join(" ")})`);
    const rawLimit = intOption(values, "limit", 1, 500);
    if (rawLimit !== undefined && views[0] !== "senders" && views[0] !== "calls") throw usageError("--limit goes with --senders or --calls");
    const limit = rawLimit === undefined ? {} : { limit: String(rawLimit) };
    const gw = gateway();
    const ref = stringOption(values, "channel");
    const from = stringOption(values, "from");
    const to = stringOption(values, "to");
    const senderId = stringOption(values, "sender");
    const query = {
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(senderId ? { senderId } : {}),
      ...(ref ? { channelId: (await findChannel(gw, ref)).id } : {}),
    };
    const usage = gw.client.api.usage;
    if (views[0] === "daily") {
      const body = await unwrap(gw, usage.daily.$get({ query }));
      out.data(body);
      out.table(
        ["day", ...TOTAL_HEADERS],
        body.days.map((d) => [d.day, ...totalCells(d)]),
        "No model calls in this range.",
      );
    } else if (views[0] === "models") {
      const body = await unwrap(gw, usage.models.$get({ query }));
      out.data(body);
      out.table(
        ["model", ...TOTAL_HEADERS],
        body.models.map((m) => [m.model, ...totalCells(m)]),
        "No model calls in this range.",
      );
    } else if (views[0] === "channels") {
      const body = await unwrap(gw, usage.channels.$get({ query }));
      out.data(body);
      out.table(
        ["channel", ...TOTAL_HEADERS],
        body.channels.map((c) => [c.channelId ?? "(none: jobs, tasks)", ...totalCells(c)]),
        "No model calls in this range.",
      );
    } else if (views[0] === "senders") {
      const body = await unwrap(gw, usage.senders.$get({ query: { ...query, ...limit } }));
      out.data(body);
      out.table(
        ["channel", "sender", ...TOTAL_HEADERS],
        body.senders.map((s) => [s.channelId, s.senderId, ...totalCells(s)]),
        "No model calls in this range.",
      );
    } else if (views[0] === "cache") {
      const body = await unwrap(gw, usage.cache.$get({ query }));
      out.data(body);
      out.say(
        renderPairs([
          ["cache hit ratio", `${percent(body.hitRatio)} of prompt tokens`],
          ["prompt tokens", `${body.uncachedInputTokens} uncached, ${body.cacheReadTokens} read from cache, ${body.cacheWriteTokens} written to it`],
          ["cost", `${usd(body.costUsd)}; without caching ${usd(body.costWithoutCacheUsd)} (saved ${usd(body.savedUsd)})`],
        ]),
      );
      if (body.models.length) out.say("");
      out.table(
        ["model", "hit ratio", "read", "written", "uncached", "saved", "cost"],
        body.models.map((m) => [m.model, percent(m.hitRatio), m.cacheReadTokens, m.cacheWriteTokens, m.uncachedInputTokens, usd(m.savedUsd), usd(m.costUsd)]),
        "",
      );
    } else if (views[0] === "calls") {
      const body = await unwrap(gw, usage.calls.$get({ query: { ...query, ...limit } }));
      out.data(body);
      out.table(
        ["time", "model", "status", "channel", "sender", "input", "output", "cache read", "cost", "ms"],
        body.calls.map((c) => [
          formatTime(c.createdAt),
          c.model,
          c.status,
          c.channelId,
          c.senderId,
          c.inputTokens,
          c.outputTokens,
          c.cacheReadTokens,
          usd(c.costUsd),
          c.latencyMs,
        ]),
        "No model calls in this range.",
      );
    } else {
      const body = await unwrap(gw, usage.$get({ query }));
      out.data(body);
      const t = body.totals;
      const b = body.budgets;
      out.say(
        renderPairs([
          ["model calls", `${t.calls} (${t.errors} failed) in ${t.runs} runs`],
          ["tokens", `${t.inputTokens} in, ${t.outputTokens} out, ${t.cacheReadTokens} read from cache, ${t.cacheWriteTokens} written to it`],
          ["cache hit ratio", `${percent(t.cacheHitRatio)} (saved ${usd(t.cacheSavingsUsd ?? 0)})`],
          ["estimated cost", usd(t.costUsd ?? 0)],
          [
            "today",
            `${usd(b.accountCostTodayUsd)}${b.accountDailyCostLimitUsd ? ` of ${usd(b.accountDailyCostLimitUsd)} daily limit` : ""}${b.accountPaused ? " (limit reached: agent paused)" : ""}`,
          ],
        ]),
      );
    }
  },
};
