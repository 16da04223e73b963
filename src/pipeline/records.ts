/**
 * What each message leaves in D1 for the dashboard and the API: the inbound row with the
 * pipeline's outcome, the session, the agent run, the reply, and the audit events. All ids
 * are derived from the inbox id, and every insert ignores conflicts, so writing a record
 * twice (an alarm retried after a crash) changes nothing.
 */
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { RunRecord } from "../agent/types";
import type { Db } from "../db/client";
import { eventStatement, type FeedEvent } from "../db/feed-events";
import { sessionId } from "../objects/session-id";
import { apiCalls, channels, messages, runs, sessions } from "../db/schema";

export type InboundOutcome = "accepted" | "rate_limited" | "unpaired" | "paired" | "not_allowed" | "disabled" | "pairing_failed" | "over_budget" | "failed";

export interface MessageRecord {
  at: number;
  channelId: string;
  senderId: string;
  senderName?: string;
  conversationId?: string;
  inbound: { id: string; platformMessageId: string; text: string; outcome: InboundOutcome };
  /** The reply or notice, when one is sent. */
  outbound?: { id: string; text: string; kind: "reply" | "notice" };
  run?: RunRecord;
  events: FeedEvent[];
  /** One row per model request made for this message (src/agent/pipeline-turn.ts). */
  apiCalls?: (typeof apiCalls.$inferInsert)[];
}

export function messageStatements(db: Db, r: MessageRecord): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  const sid = sessionId(r.channelId, r.senderId);
  const conversationId = r.conversationId ?? null;
  const stmts: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    db
      .insert(messages)
      .values({
        id: r.inbound.id,
        channelId: r.channelId,
        senderId: r.senderId,
        conversationId,
        direction: "in",
        platformMessageId: r.inbound.platformMessageId,
        text: r.inbound.text,
        outcome: r.inbound.outcome,
        runId: r.run?.id ?? null,
        createdAt: r.at,
      })
      .onConflictDoNothing(),
    db.update(channels).set({ lastMessageAt: r.at }).where(eq(channels.id, r.channelId)),
  ];
  if (r.inbound.outcome === "accepted") {
    stmts.push(
      db
        .insert(sessions)
        .values({
          id: sid,
          channelId: r.channelId,
          senderId: r.senderId,
          senderName: r.senderName ?? null,
          status: "active",
          messageCount: r.outbound ? 2 : 1,
          createdAt: r.at,
          lastActivityAt: r.at,
        })
        .onConflictDoUpdate({
          target: sessions.id,
          set: {
            status: "active",
            lastActivityAt: r.at,
            messageCount: sql`${sessions.messageCount} + ${r.outbound ? 2 : 1}`,
            ...(r.senderName ? { senderName: r.senderName } : {}),
          },
        }),
    );
  }
  if (r.run) {
    const u = r.run.usage;
    stmts.push(
      db
        .insert(runs)
        .values({
          id: r.run.id,
          channelId: r.channelId,
          senderId: r.senderId,
          sessionId: sid,
          messageId: r.inbound.id,
          status: r.run.status,
          model: r.run.model,
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          costUsd: u.costUsd,
          latencyMs: r.run.latencyMs,
          error: r.run.error ?? null,
          deliveryStatus: "pending",
          createdAt: r.at,
        })
        .onConflictDoNothing(),
    );
  }
  if (r.outbound) {
    stmts.push(
      db
        .insert(messages)
        .values({
          id: r.outbound.id,
          channelId: r.channelId,
          senderId: r.senderId,
          conversationId,
          direction: "out",
          platformMessageId: null,
          text: r.outbound.text,
          outcome: r.outbound.kind,
          runId: r.run?.id ?? null,
          createdAt: r.at,
        })
        .onConflictDoNothing(),
    );
  }
  for (const call of r.apiCalls ?? []) stmts.push(db.insert(apiCalls).values(call).onConflictDoNothing());
  for (const e of r.events) stmts.push(eventStatement(db, e));
  return stmts;
}

export interface DeliveryRecord {
  runId: string | null;
  status: "sent" | "failed" | "retrying";
  attempts: number;
  error?: string;
  at: number;
}

export function deliveryStatements(db: Db, d: DeliveryRecord, event: FeedEvent): BatchItem<"sqlite">[] {
  const stmts: BatchItem<"sqlite">[] = [eventStatement(db, event)];
  if (d.runId) {
    const status = d.status === "retrying" ? "pending" : d.status;
    stmts.push(
      db
        .update(runs)
        .set({ deliveryStatus: status, deliveryAttempts: d.attempts, deliveryError: d.error ?? null, ...(d.status === "sent" ? { deliveredAt: d.at } : {}) })
        .where(eq(runs.id, d.runId)),
    );
  }
  return stmts;
}
