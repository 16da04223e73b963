/**
 * Tool approvals through the API (docs/agent.md, "Tool approvals"): `GET /api/approvals` lists
 * the calls still waiting for a decision, `POST /api/approvals/:id` decides one as the logged-in
 * admin. An approval is found from its id alone: it is the id of its `approval.requested` event,
 * which names the sender whose object holds the waiting turn. Chat buttons (src/api/hooks.ts)
 * decide through `decideApproval` too.
 */
import { and, eq, gt, inArray } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { MAX_APPROVAL_TIMEOUT_SECONDS } from "../agent/approval-settings";
import type { ApprovalOutcome } from "../channels/shared/types";
import { idFloor } from "../crypto/random";
import type { Db } from "../db/client";
import { events } from "../db/schema";
import { senderSession } from "../objects/addresses";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";

/** Who decides, as the sender's object records it (workers/sender-session-approvals.ts `Decider`). */
export type ApprovalDecider =
  | { via: "dashboard"; name: string }
  | { via: "chat"; channelType: string; channelId: string; deciderId: string; deciderName?: string };

/** Finds the approval's object and decides there; `unknown` for an id that is no approval. */
export async function decideApproval(env: Env, db: Db, approvalId: string, approve: boolean, by: ApprovalDecider): Promise<ApprovalOutcome> {
  const requested = await db
    .select({ channelId: events.channelId, senderId: events.senderId })
    .from(events)
    .where(and(eq(events.id, approvalId), eq(events.kind, "approval.requested")))
    .get();
  if (!requested?.channelId || !requested.senderId) return { kind: "unknown" };
  return senderSession(env, requested.channelId, requested.senderId).decideApproval(approvalId, approve, by);
}

interface RequestedDetail {
  approvalId: string;
  messageId: string;
  runId: string;
  tools: { name: string; input: unknown }[];
  approver: "admin" | "sender";
  approverId: string | null;
  deadline: number;
  /** Why the prompt could not be sent in chat (e.g. a Teams admin who never wrote to the bot). */
  unreachable?: string;
}

const idParam = validate("param", z.object({ id: z.string().min(1).max(100) }));
const decisionBody = validate("json", z.object({ decision: z.enum(["approve", "deny"]) }).strict());

export const approvalRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const now = Date.now();
    // No approval waits longer than the longest timeout, so older events need not be read.
    const since = now - MAX_APPROVAL_TIMEOUT_SECONDS * 1000;
    const rows = await c.var.db
      .select()
      .from(events)
      // events has no time index: the time-ordered id bounds the read, with a minute's slack for
      // an event whose time is later than its id's millisecond (set by a caller), then its time filters.
      .where(and(gt(events.id, idFloor("evt", since - 60_000)), gt(events.at, since), inArray(events.kind, ["approval.requested", "approval.decided"])))
      .orderBy(events.at)
      .all();
    const decided = new Set(rows.filter((r) => r.kind === "approval.decided").map((r) => (JSON.parse(r.detail) as { approvalId: string }).approvalId));
    const approvals = rows.flatMap((r) => {
      if (r.kind !== "approval.requested" || decided.has(r.id)) return [];
      const d = JSON.parse(r.detail) as RequestedDetail;
      if (d.deadline <= now) return [];
      return [
        {
          id: r.id,
          at: r.at,
          channelId: r.channelId,
          senderId: r.senderId,
          tools: d.tools,
          approver: d.approver,
          approverId: d.approverId,
          deadline: d.deadline,
          unreachable: d.unreachable ?? null,
        },
      ];
    });
    return c.json({ approvals });
  })
  .post("/:id", idParam, decisionBody, async (c) => {
    const { id } = c.req.valid("param");
    const { decision } = c.req.valid("json");
    const outcome = await decideApproval(c.env, c.var.db, id, decision === "approve", { via: "dashboard", name: c.var.user.username });
    if (outcome.kind === "unknown") fail(404, `no approval ${id}`);
    if (outcome.kind === "already") fail(409, `approval ${id} was already decided: ${outcome.decision}`);
    return c.json({ id, decision: outcome.kind === "decided" ? outcome.decision : null });
  });
