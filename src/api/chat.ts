/**
 * Web chat: the admin talks to the agent through the same pipeline as every platform
 * (`POST /api/chat`), then reads the reply (`GET /api/chat/:messageId`, optionally waiting).
 * `GET /api/chat/history` is the conversation as the agent remembers it (the playground shows it
 * after a reload), and `DELETE /api/chat/history` starts a new chat: the agent forgets it.
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { randomToken } from "../crypto/random";
import { channels, messages } from "../db/schema";
import type { Db } from "../db/client";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { senderSession } from "../objects/addresses";
import { validate } from "./validate";

export const WEB_CHANNEL_ID = "web";
const POLL_INTERVAL_MS = 200;

const chatBody = z.object({
  text: z.string().trim().min(1, "text is required").max(100_000),
  /** Retrying with the same id never sends the message twice. */
  clientMessageId: z.string().min(1).max(200).optional(),
  conversationId: z.string().min(1).max(200).optional(),
});
const waitQuery = z.object({ wait: z.coerce.number().min(0).max(120).default(0) });

async function ensureWebChannel(db: Db): Promise<void> {
  const now = Date.now();
  await db
    .insert(channels)
    .values({ id: WEB_CHANNEL_ID, type: "web", name: "Web chat", policy: "open", allowlist: "[]", config: "{}", createdAt: now, updatedAt: now })
    .onConflictDoNothing();
}

async function replyTo(db: Db, messageId: string, waitSeconds: number) {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const reply = await db
      .select()
      .from(messages)
      .where(eq(messages.id, `${messageId}:out`))
      .get();
    if (reply) return { status: "done" as const, messageId, reply: reply.text, kind: reply.outcome, runId: reply.runId };
    if (Date.now() >= deadline) return { status: "pending" as const, messageId };
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

const adminSender = (username: string) => `admin:${username}`;

export const chatRoutes = new Hono<AppEnv>()
  .get("/history", async (c) => {
    const turns = await senderSession(c.env, WEB_CHANNEL_ID, adminSender(c.var.user.username)).history();
    return c.json({ turns: turns.map((t) => ({ role: t.role, text: t.content })) });
  })
  .delete("/history", async (c) => {
    await senderSession(c.env, WEB_CHANNEL_ID, adminSender(c.var.user.username)).cleanup();
    return c.json({ cleared: true });
  })
  .post("/", validate("json", chatBody), validate("query", waitQuery), async (c) => {
    const { text, clientMessageId, conversationId } = c.req.valid("json");
    await ensureWebChannel(c.var.db);
    const senderId = adminSender(c.var.user.username);
    const result = await senderSession(c.env, WEB_CHANNEL_ID, senderId).receive(WEB_CHANNEL_ID, {
      senderId,
      senderName: c.var.user.username,
      conversationId,
      platformMessageId: clientMessageId ?? randomToken(12),
      text,
      receivedAt: Date.now(),
    });
    const reply = await replyTo(c.var.db, result.messageId, c.req.valid("query").wait);
    return c.json({ ...reply, duplicate: result.duplicate }, reply.status === "done" ? 200 : 202);
  })
  .get("/:messageId", validate("query", waitQuery), async (c) => {
    const messageId = c.req.param("messageId");
    const inbound = await c.var.db.select({ id: messages.id }).from(messages).where(eq(messages.id, messageId)).get();
    const reply = await replyTo(c.var.db, messageId, c.req.valid("query").wait);
    if (!inbound && reply.status === "pending") {
      // Not yet recorded is normal for a second; an id never seen is an error.
      if (!messageId.startsWith("msg_")) fail(404, `no chat message ${messageId}`);
    }
    return c.json(reply);
  });
