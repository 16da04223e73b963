/** `loopgate usage [--daily|--models|--channels]`: tokens, cache hits and estimated cost. */
import { stringOption } from "../args";
import type { CommandSpec } from "../command";
import { unwrap } from "../connection";
import { usageError } from "../errors";
import { renderPairs } from "../output";
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

export const usageCommand: CommandSpec = {
  path: ["usage"],
  summary: "model usage and estimated cost: totals, or --daily, --models or --channels",
  remote: true,
  options: {
    daily: { type: "boolean", description: "one row per UTC day (default the last 30 days)" },
    models: { type: "boolean", description: "one row per model" },
    channels: { type: "boolean", description: "one row per channel" },
    from: { type: "string", valueName: "date", description: "from this day or instant (YYYY-MM-DD, ISO time or unix ms)" },
    to: { type: "string", valueName: "date", description: "up to (not including) this day or instant" },
    channel: { type: "string", valueName: "channel", description: "only this channel (id or name)" },
  },
  async run({ values, gateway, out }) {
    const views = (["daily", "models", "channels"] as const).filter((v) => values[v]);
    if (views.length > 1) throw usageError(`choose one of --daily, --models, --channels (got ${views.map((v) => `--${v}`).join(" ")})`);
    const gw = gateway();
    const ref = stringOption(values, "channel");
    const from = stringOption(values, "from");
    const to = stringOption(values, "to");
    const query = { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(ref ? { channelId: (await findChannel(gw, ref)).id } : {}) };
    const usage = gw.client.api.usage;
    if (views[0] === "daily") {
      const body = await unwrap(gw, usage.daily.$get({ query }));
      out.data(body);
      out.table(["day", ...TOTAL_HEADERS], body.days.map((d) => [d.day, ...totalCells(d)]), "No model calls in this range.");
    } else if (views[0] === "models") {
      const body = await unwrap(gw, usage.models.$get({ query }));
      out.data(body);
      out.table(["model", ...TOTAL_HEADERS], body.models.map((m) => [m.model, ...totalCells(m)]), "No model calls in this range.");
    } else if (views[0] === "channels") {
      const body = await unwrap(gw, usage.channels.$get({ query }));
      out.data(body);
      out.table(["channel", ...TOTAL_HEADERS], body.channels.map((c) => [c.channelId ?? "(none: jobs, tasks)", ...totalCells(c)]), "No model calls in this range.");
    } else {
      const body = await unwrap(gw, usage.$get({ query }));
      out.data(body);
      const t = body.totals;
      const b = body.budgets;
      out.say(renderPairs([
        ["model calls", `${t.calls} (${t.errors} failed) in ${t.runs} runs`],
        ["tokens", `${t.inputTokens} in, ${t.outputTokens} out, ${t.cacheReadTokens} read from cache, ${t.cacheWriteTokens} written to it`],
        ["cache hit ratio", `${Math.round(t.cacheHitRatio * 1000) / 10}% (saved ${usd(t.cacheSavingsUsd ?? 0)})`],
        ["estimated cost", usd(t.costUsd ?? 0)],
        ["today", `${usd(b.accountCostTodayUsd)}${b.accountDailyCostLimitUsd ? ` of ${usd(b.accountDailyCostLimitUsd)} daily limit` : ""}${b.accountPaused ? " (limit reached: agent paused)" : ""}`],
      ]));
    }
  },
};
