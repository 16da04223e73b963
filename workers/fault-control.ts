/**
 * `/api/__faults`: the fault suite's control of the D1 fault hook (src/db/fault-hook.ts). It exists
 * only in a build made for the suite (`npm start` with LOOPGATE_TEST_FAULTS=1 on loopback);
 * otherwise the Worker never routes here and the path is an ordinary 404.
 * GET answers the plan and what was injected; PUT replaces the plan.
 */
import * as z from "zod";
import { faultState, setFaultPlan } from "../src/db/fault-hook";

const Plan = z.strictObject({
  writes: z.number().int().min(0).max(1_000_000),
  mode: z.enum(["error", "timeout", "lost-ack"]),
  delayMs: z.number().int().min(0).max(120_000).default(0),
  table: z
    .string()
    .regex(/^[a-z_]+$/)
    .optional(),
});

export async function faultControl(request: Request): Promise<Response> {
  if (request.method === "PUT") {
    const parsed = Plan.safeParse(await request.json().catch(() => null));
    if (!parsed.success) return Response.json({ error: "bad plan", issues: parsed.error.issues }, { status: 400 });
    setFaultPlan(parsed.data);
  } else if (request.method !== "GET") return Response.json({ error: "method not allowed" }, { status: 405 });
  return Response.json(faultState());
}
