/**
 * For the "flat as data grows" phase: fills a fresh local D1 with a busy history before the
 * gateway starts — stored messages (with their events) and today's model calls — so the
 * storage phase can show that the work per message does not grow with what is stored. The
 * rows are generated inside SQLite (recursive CTEs), so the file is small and loads in seconds.
 * The preloaded calls belong to other senders and cost little, so no budget is reached.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, source, tempDir, WRANGLER } from "./dev-process";

export interface Preload {
  /** Stored messages, half inbound and half replies, spread over the last 7 days. */
  messages: number;
  /** Model calls made today (UTC), spread over 200 other senders. */
  apiCallsToday: number;
}

function preloadSql(p: Preload, now: number): string {
  const dayStart = now - (now % 86_400_000);
  const spanToday = Math.max(1, now - dayStart);
  return `
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${p.messages})
INSERT INTO messages (id, channel_id, sender_id, conversation_id, direction, platform_message_id, text, outcome, run_id, created_at)
SELECT 'msg_preload_' || i, 'ch_preload', 'sender-' || (i % 500), NULL, CASE i % 2 WHEN 0 THEN 'in' ELSE 'out' END,
       CASE i % 2 WHEN 0 THEN 'p-' || i ELSE NULL END, 'stored message number ' || i || ' of the preloaded history',
       CASE i % 2 WHEN 0 THEN 'accepted' ELSE 'reply' END, NULL, ${now} - (i * 6047) % 604800000
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${p.messages})
INSERT INTO events (id, at, kind, channel_id, sender_id, detail)
SELECT 'evt_preload_' || i, ${now} - (i * 6047) % 604800000, 'message.received', 'ch_preload', 'sender-' || (i % 500), '{}'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${p.apiCallsToday})
INSERT INTO api_calls (id, created_at, channel_id, sender_id, session_id, run_id, purpose, mode, model, input_tokens, output_tokens,
                       cache_write_tokens, cache_read_tokens, latency_ms, stop_reason, status, error, cost_usd, cache_savings_usd)
SELECT 'run_preload_' || i || ':001', ${dayStart} + (i * 7919) % ${spanToday}, 'ch_preload', 'sender-' || (i % 200),
       'ch_preload:sender-' || (i % 200), 'run_preload_' || i, 'turn', 'direct', 'claude-sonnet-5-5', 40, 20, 0, 0, 900,
       'end_turn', 'ok', NULL, 0.00001, 0
FROM n;
`;
}

/** Loads the history into the local D1 under `stateDir` (migrations already applied). */
export function preloadD1(config: string, stateDir: string, p: Preload): void {
  const file = join(tempDir("loopgate-bench-preload-"), "preload.sql");
  writeFileSync(file, preloadSql(p, Date.now()));
  const run = spawnSync(WRANGLER, ["d1", "execute", "loopgate", "--local", "--persist-to", stateDir, "-c", config, "--file", file, "--yes"], {
    cwd: source(),
    env: baseEnv({}) as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`preloading D1 failed: ${run.stdout}${run.stderr}`);
}
