/**
 * Pairing administration: list requests, approve or reject by code, mint invite codes;
 * paired senders and revocation (`/api/senders`).
 */
import { and, desc, eq, gt, lte, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { channels, pairings, senders } from "../db/schema";
import { normalizePairingCode } from "../pipeline/pairing-code";
import { decideRequest, mintInvite } from "../pipeline/pairing-store";
import { notices } from "../pipeline/notices";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { notifySender } from "../objects/addresses";
import { validate } from "./validate";

const listQuery = z.object({ status: z.enum(["pending", "approved", "rejected", "used", "expired"]).optional() });
const inviteBody = z
  .object({
    channelId: z.string().min(1).optional(),
    /** An invite for whichever channel redeems it first; must be asked for, a code is bound to one channel by default. */
    anyChannel: z.boolean().optional(),
    ttlMinutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 30)
      .optional(),
  })
  .refine((b) => (b.channelId ? !b.anyChannel : b.anyChannel === true), {
    message: "give channelId (the channel the invite is for), or anyChannel: true for a code any channel accepts",
  });

function codeParam(raw: string): string {
  const code = normalizePairingCode(raw);
  if (!code) fail(400, `"${raw}" is not a pairing code (6 or 10 characters)`);
  return code;
}

export const pairingRoutes = new Hono<AppEnv>()
  .get("/", validate("query", listQuery), async (c) => {
    const { status } = c.req.valid("query");
    const now = Date.now();
    const where: SQL | undefined =
      status === "expired"
        ? and(eq(pairings.status, "pending"), lte(pairings.expiresAt, now))
        : status === "pending"
          ? and(eq(pairings.status, "pending"), gt(pairings.expiresAt, now))
          : status
            ? eq(pairings.status, status)
            : undefined;
    const rows = await c.var.db.select().from(pairings).where(where).orderBy(desc(pairings.createdAt)).limit(200);
    return c.json({
      pairings: rows.map((p) => ({ ...p, status: p.status === "pending" && p.expiresAt <= now ? "expired" : p.status })),
    });
  })
  .post("/", validate("json", inviteBody), async (c) => {
    const { channelId, ttlMinutes } = c.req.valid("json");
    if (channelId && !(await c.var.db.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).get())) fail(404, `no channel ${channelId}`);
    const invite = await mintInvite(c.var.db, channelId ?? null, Date.now(), ttlMinutes ? ttlMinutes * 60_000 : undefined);
    return c.json({ ...invite, howToUse: `The sender sends "/pair ${invite.code}" to the assistant.` }, 201);
  })
  .post("/:code/approve", async (c) => {
    const result = await decideRequest(c.var.db, codeParam(c.req.param("code")), "approved", Date.now());
    if (!result.ok) fail(result.status, result.error);
    await notifySender(c.env, result.channelId, result.senderId, notices.paired());
    return c.json({ ok: true, channelId: result.channelId, senderId: result.senderId });
  })
  .post("/:code/reject", async (c) => {
    const result = await decideRequest(c.var.db, codeParam(c.req.param("code")), "rejected", Date.now());
    if (!result.ok) fail(result.status, result.error);
    await notifySender(c.env, result.channelId, result.senderId, notices.rejected());
    return c.json({ ok: true, channelId: result.channelId, senderId: result.senderId });
  });

export const senderRoutes = new Hono<AppEnv>()
  .get("/", validate("query", z.object({ channelId: z.string().optional() })), async (c) => {
    const { channelId } = c.req.valid("query");
    const rows = await c.var.db
      .select()
      .from(senders)
      .where(channelId ? eq(senders.channelId, channelId) : undefined)
      .orderBy(desc(senders.createdAt))
      .limit(500);
    return c.json({ senders: rows });
  })
  .delete("/:id", async (c) => {
    const updated = await c.var.db
      .update(senders)
      .set({ status: "revoked" })
      .where(and(eq(senders.id, c.req.param("id")), eq(senders.status, "paired")))
      .returning({ id: senders.id });
    if (updated.length === 0) fail(404, `no paired sender ${c.req.param("id")}`);
    return c.json({ ok: true });
  });
