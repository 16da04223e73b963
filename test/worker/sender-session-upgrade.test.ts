/**
 * A sender's object created before its storage layout changed (docs/performance.md, "Durable
 * Object storage per message") starts on the new code with its rows: finished messages still
 * dedupe webhook retries, a message left pending is answered, a message whose reply went out but
 * whose record was not yet in D1 is recorded with that delivery (and not sent again), and the
 * conversation (its turns become exchanges of one turn), limiter window and outbox rows it held
 * are carried over.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { senderSession } from "../../src/objects/addresses";
import type { MessageRecord } from "../../src/pipeline/records";
import { SenderSession } from "../../workers/sender-session";
import { adminToken, call, createWebhookChannel, fakeCallbacks } from "./helpers";

/** The object's tables as they were before (workers/sender-session-storage.ts at that time). */
const OLD_SCHEMA = [
  `CREATE TABLE inbox (
    id TEXT PRIMARY KEY, platform_id TEXT NOT NULL UNIQUE, channel_id TEXT NOT NULL, sender_id TEXT NOT NULL, sender_name TEXT,
    conversation_id TEXT, text TEXT NOT NULL, attachments TEXT, reply_context TEXT, received_at INTEGER NOT NULL, state TEXT NOT NULL,
    record TEXT, attempts INTEGER NOT NULL DEFAULT 0)`,
  "CREATE INDEX inbox_state ON inbox(state, received_at)",
  "CREATE TABLE history (seq INTEGER PRIMARY KEY AUTOINCREMENT, role TEXT NOT NULL, content TEXT NOT NULL, at INTEGER NOT NULL)",
  `CREATE TABLE outbox (
    id TEXT PRIMARY KEY, turn_id TEXT NOT NULL, run_id TEXT, channel_id TEXT NOT NULL, recipient TEXT NOT NULL, conversation_id TEXT,
    in_reply_to TEXT, reply_context TEXT, text TEXT NOT NULL, file TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL, approval_id TEXT)`,
  "CREATE INDEX outbox_due ON outbox(status, created_at)",
  "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
  "CREATE TABLE live_reply (turn_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, message_id TEXT NOT NULL, shown TEXT NOT NULL, updated_at INTEGER NOT NULL)",
];

let token: string;
let callbacks: ReturnType<typeof fakeCallbacks>;
beforeAll(async () => {
  token = await adminToken();
});
afterEach(() => callbacks?.restore());

function oldRecord(channelId: string, id: string, platformId: string, text: string, at: number): MessageRecord {
  return {
    at,
    channelId,
    senderId: "vera",
    inbound: { id, platformMessageId: platformId, text, outcome: "accepted" },
    outbound: { id: `${id}:out`, text: `You said: ${text}`, kind: "reply" },
    events: [],
  };
}

describe("a sender's object holding rows in the earlier layout", () => {
  it("is upgraded in place when it starts, and every row keeps doing its job", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "open" });
    const stub = senderSession(env, ch.id, "vera");
    const now = Date.now();
    const result = await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      // The running instance created the current layout on empty storage: put the old one in its place.
      for (const table of ["inbox", "inbox_seen", "history", "outbox", "kv", "live_reply"]) sql.exec(`DROP TABLE IF EXISTS ${table}`);
      for (const statement of OLD_SCHEMA) sql.exec(statement);
      const insert = `INSERT INTO inbox (id, platform_id, channel_id, sender_id, sender_name, conversation_id, text, received_at, state, record, attempts)
        VALUES (?, ?, ?, 'vera', 'Vera', NULL, ?, ?, ?, ?, ?)`;
      sql.exec(insert, "msg_old_done", "p-done", ch.id, "an old question", now - 60_000, "done", null, 1);
      const recording = oldRecord(ch.id, "msg_old_rec", "p-recording", "answered before the upgrade", now - 30_000);
      sql.exec(insert, "msg_old_rec", "p-recording", ch.id, recording.inbound.text, now - 30_000, "recording", JSON.stringify(recording), 1);
      sql.exec(insert, "msg_old_pending", "p-pending", ch.id, "left waiting", now - 20_000, "pending", null, 0);
      // The recorded message's reply went out (the old layout kept sent rows); a notice still waits.
      const outbox = `INSERT INTO outbox (id, turn_id, run_id, channel_id, recipient, text, status, attempts, next_at, created_at)
        VALUES (?, ?, NULL, ?, 'vera', ?, ?, ?, ?, ?)`;
      sql.exec(outbox, "msg_old_rec:0000", "msg_old_rec", ch.id, "You said: answered before the upgrade", "sent", 1, now - 29_000, now - 29_000);
      sql.exec(outbox, "ntc_old:0000", "ntc_old", ch.id, "a notice still owed", "pending", 0, now - 25_000, now - 25_000);
      sql.exec("INSERT INTO history (role, content, at) VALUES ('user', 'an old question', ?), ('assistant', 'an old answer', ?)", now, now);
      sql.exec("INSERT INTO kv (key, value) VALUES ('window', ?)", JSON.stringify({ accepted: [now - 60_000], notifiedUntil: 0 }));

      // The object starts again on these rows.
      const upgraded = new SenderSession(state, env);
      const layout = Object.fromEntries(
        sql
          .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'")
          .toArray()
          .map((t) => [t.name, t.sql]),
      );
      const historyRows = sql.exec<{ seq: number; turns: string }>("SELECT seq, turns FROM history ORDER BY seq").toArray();
      const seen = sql.exec<{ platform_id: string; id: string }>("SELECT platform_id, id FROM inbox_seen ORDER BY platform_id").toArray();
      const open = sql.exec<{ id: string; state: string }>("SELECT id, state FROM inbox ORDER BY id").toArray();
      const retry = await upgraded.receive(ch.id, { platformMessageId: "p-done", senderId: "vera", text: "an old question", receivedAt: now });
      await upgraded.alarm();
      const left = {
        inbox: sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n,
        outbox: sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n,
      };
      const appended = sql.exec<{ seq: number; turns: string }>("SELECT seq, turns FROM history WHERE seq > 2 ORDER BY seq").toArray();
      return { layout, historyRows, seen, open, retry, left, appended, history: await upgraded.history() };
    });

    expect(result.layout.inbox).toMatch(/WITHOUT ROWID/);
    expect(result.layout.inbox_before).toBeUndefined();
    expect(result.layout.inbox_state).toBeUndefined();
    expect(result.layout.outbox_due).toBeUndefined();
    expect(result.seen).toEqual([
      { platform_id: "p-done", id: "msg_old_done" },
      { platform_id: "p-pending", id: "msg_old_pending" },
      { platform_id: "p-recording", id: "msg_old_rec" },
    ]);
    expect(result.open).toEqual([
      { id: "msg_old_pending", state: "pending" },
      { id: "msg_old_rec", state: "recording" },
    ]);
    // A retry of a message finished before the upgrade is still a duplicate.
    expect(result.retry).toEqual({ duplicate: true, messageId: "msg_old_done" });
    // The owed notice is sent (it was queued first) and the pending message answered; the reply sent before is not sent again.
    expect(callbacks.captured.map((c) => c.body.text)).toEqual(["a notice still owed", expect.stringContaining("You said: left waiting")]);
    expect(result.left).toEqual({ inbox: 0, outbox: 0 });
    expect(result.history.slice(0, 2)).toEqual([
      { role: "user", content: "an old question" },
      { role: "assistant", content: "an old answer" },
    ]);
    expect(result.history).toHaveLength(4);
    // The history's turns became exchanges of one turn with their seq; the new exchange is one row numbered on from them.
    expect(result.historyRows).toEqual([
      { seq: 1, turns: JSON.stringify([{ role: "user", content: "an old question" }]) },
      { seq: 2, turns: JSON.stringify([{ role: "assistant", content: "an old answer" }]) },
    ]);
    expect(result.appended).toHaveLength(1);
    expect(result.appended[0]!.seq).toBe(3);
    expect((JSON.parse(result.appended[0]!.turns) as { role: string }[]).map((t) => t.role)).toEqual(["user", "assistant"]);
    expect(result.layout.history_before).toBeUndefined();
    // Both messages are in D1 now, the one recorded after the upgrade with the delivery it had.
    const msgs = await call<{ messages: { id: string; direction: string; outcome: string; text: string }[] }>(
      "GET",
      `/api/messages?channelId=${ch.id}&senderId=vera&limit=10`,
      undefined,
      token,
    );
    const inbound = msgs.body.messages.filter((m) => m.direction === "in").map((m) => [m.text, m.outcome]);
    expect(inbound.sort()).toEqual([
      ["answered before the upgrade", "accepted"],
      ["left waiting", "accepted"],
    ]);
  });

  it("takes a backup written before: finished inbox messages still dedupe, one-turn history rows become exchanges", async () => {
    const ch = await createWebhookChannel(token, { policy: "open" });
    const stub = senderSession(env, ch.id, "wes");
    const now = Date.now();
    const inbox = ["id", "platform_id", "channel_id", "sender_id", "sender_name", "conversation_id", "text", "attachments", "reply_context"].concat([
      "received_at",
      "state",
      "record",
      "attempts",
    ]);
    const restoredInbox = await stub.restoreRows(
      "inbox",
      inbox,
      [["msg_bk_done", "p-bk-done", ch.id, "wes", null, null, "from the backup", null, null, now - 5000, "done", null, 1]],
      true,
    );
    const restoredHistory = await stub.restoreRows(
      "history",
      ["seq", "role", "content", "at"],
      [
        [1, "user", "hello from before", now - 5000],
        [2, "assistant", "hello back", now - 5000],
      ],
      true,
    );
    expect(restoredInbox).toEqual({ ok: true, rows: 1 });
    expect(restoredHistory).toEqual({ ok: true, rows: 2 });
    expect(await stub.history()).toEqual([
      { role: "user", content: "hello from before" },
      { role: "assistant", content: "hello back" },
    ]);
    const retry = await stub.receive(ch.id, { platformMessageId: "p-bk-done", senderId: "wes", text: "from the backup", receivedAt: now });
    expect(retry).toEqual({ duplicate: true, messageId: "msg_bk_done" });
    const open = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n);
    expect(open).toBe(0);
  });
});
