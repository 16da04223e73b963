/**
 * What a message's record costs in D1's own measure (rows written, as D1 bills them: every
 * b-tree entry, index entries and trigger writes included). The record tables are WITHOUT ROWID
 * (migrations/0005_keyed_record_tables.sql), so an insert writes its row and its indexes and no
 * second key b-tree; events carry no index at all. The statements are the ones the alarm pass
 * batches (src/pipeline/records.ts), each run alone here to read its own meta.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client";
import { feedEvent } from "../../src/db/feed-events";
import { messageStatements, type MessageRecord } from "../../src/pipeline/records";

const db = openDb(env.DB);

/** Sender `n`'s message `m`: the reply, one model call, three events. */
function record(n: number, m: string, at: number): MessageRecord {
  const runId = `run_wcost${n}${m}`;
  return {
    at,
    channelId: "ch_wcost",
    senderId: `s${n}`,
    inbound: { id: `in_wcost${n}${m}`, platformMessageId: `p${n}`, text: "hello", outcome: "accepted" },
    outbound: { id: `out_wcost${n}${m}`, text: "hi", kind: "reply" },
    run: {
      id: runId,
      status: "ok",
      model: "m",
      usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.001 },
      latencyMs: 5,
    },
    apiCalls: [
      {
        id: `${runId}:001`,
        createdAt: at,
        channelId: "ch_wcost",
        senderId: `s${n}`,
        sessionId: `ch_wcost:s${n}`,
        runId,
        purpose: "turn",
        mode: "direct",
        model: "m",
        inputTokens: 10,
        outputTokens: 5,
        status: "ok",
        costUsd: 0.001,
      },
    ],
    events: [
      feedEvent("message.received", "ch_wcost", `s${n}`, { messageId: `in_wcost${n}${m}` }, at),
      feedEvent("agent.reply", "ch_wcost", `s${n}`, { runId }, at),
      feedEvent("reply.delivered", "ch_wcost", `s${n}`, { runId }, at),
    ],
  };
}

/** Runs each statement alone and adds up D1's rows_written, per table the statement names. */
async function written(r: MessageRecord): Promise<Record<string, number>> {
  const byTable: Record<string, number> = {};
  for (const statement of messageStatements(db, r, { delivery: { status: "sent", attempts: 1, at: r.at } })) {
    const { sql, params } = (statement as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
    const table = /^(?:insert into|update) "(\w+)"/i.exec(sql)?.[1] ?? "?";
    const result = await env.DB.prepare(sql)
      .bind(...params)
      .run();
    byTable[table] = (byTable[table] ?? 0) + result.meta.rows_written;
  }
  return byTable;
}

describe("D1 rows written per message record", () => {
  it("writes each row and its indexes, and no second key b-tree", async () => {
    const at = Date.parse("2026-05-01T10:00:00Z");
    // A sender's second message on a day that already has spending: the steady state.
    await written(record(1, "a", at));
    const rows = await written(record(1, "b", at + 1000));
    expect(rows).toEqual({
      // 2 rows (in and out), each with messages_channel_sender and messages_created.
      messages: 6,
      // the existing session updated: its row and its sessions_activity entry.
      sessions: 2,
      // the row and runs_created.
      runs: 2,
      // the row, api_calls_created, and the trigger adding to the account's and the sender's totals.
      api_calls: 4,
      // three events, one entry each.
      events: 3,
    });
  });

  it("a record written again (an alarm pass retried) adds no message, run, call or event", async () => {
    const r = record(2, "a", Date.parse("2026-05-01T11:00:00Z"));
    await written(r);
    const again = await written(r);
    expect({ ...again, sessions: undefined }).toEqual({ messages: 0, runs: 0, api_calls: 0, events: 0, sessions: undefined });
  });
});
