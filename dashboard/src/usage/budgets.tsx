/**
 * Today's budgets (UTC day) and how close each is: the gateway's daily cost cap, and the
 * per-sender token and cost caps for the senders nearest to theirs. Scheduled work counts
 * against the gateway cap only, so the `scheduler` channel's job and task senders are left out
 * of the per-sender list.
 */
import { Badge } from "../ui/widgets";
import { compact, usd } from "../ui/format";
import { BudgetMeter } from "./budget-meter";
import type { UsageData } from "./load-usage";

const SHOWN_SENDERS = 5;

export function Budgets({ data }: { data: UsageData }) {
  const b = data.summary.budgets;
  const tokenCap = b.senderDailyTokenLimit;
  const costCap = b.senderDailyCostLimitUsd;
  const senders = data.sendersToday
    .filter((s) => s.channelId !== "scheduler")
    .map((s) => {
      const tokens = s.inputTokens + s.cacheWriteTokens + s.outputTokens;
      const nearest = Math.max(tokenCap ? tokens / tokenCap : 0, costCap ? s.costUsd / costCap : 0);
      return { ...s, tokens, nearest };
    })
    .sort((a, b) => b.nearest - a.nearest)
    .slice(0, SHOWN_SENDERS);

  return (
    <section class="card" aria-label="Budgets">
      <h2>Budgets today {b.accountPaused && <Badge tone="bad">paused: gateway cap reached</Badge>}</h2>
      <BudgetMeter
        label="Gateway cost"
        used={b.accountCostTodayUsd}
        limit={b.accountDailyCostLimitUsd}
        format={usd}
        note="All conversations, job runs and loop iterations; at the cap, replies stop and scheduled work pauses until midnight UTC."
      />
      <p class="muted">
        Per sender: {tokenCap ? `${compact(tokenCap)} tokens` : "no token cap"} and {costCap ? usd(costCap) : "no cost cap"} a day.
      </p>
      {senders.length === 0 ? (
        <p class="muted">No sender has used the agent today.</p>
      ) : (
        senders.map((s) => (
          <div key={`${s.channelId}:${s.senderId}`} class="sender-budget">
            <strong>
              {s.senderId} <span class="muted">· {data.channelName(s.channelId)}</span>
            </strong>
            <BudgetMeter label={`Tokens · ${s.senderId}`} used={s.tokens} limit={tokenCap} format={compact} />
            <BudgetMeter label={`Cost · ${s.senderId}`} used={s.costUsd} limit={costCap} format={usd} />
          </div>
        ))
      )}
    </section>
  );
}
