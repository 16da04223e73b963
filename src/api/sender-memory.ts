/**
 * What the agent remembers about one sender, for the admin: `GET /api/sessions/:id/notes`,
 * `PUT` and `DELETE /api/sessions/:id/notes/:noteId` (the notes live in the sender's object,
 * with their full-text index, see src/agent/memory-store.ts), and `DELETE /api/sessions/:id`,
 * which deletes the sender: the object forgets history, summaries, notes and index, and the
 * session and its message transcript leave D1. Runs and API call rows stay: they are the
 * usage and cost ledger, and hold no message text. On a channel in container mode, the
 * bridge that runs its containers is told to remove the sender's workspace volume (queued in
 * its BridgeHub and re-sent until done, docs/containers.md "Deleting a sender").
 */
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { containerTarget } from "../agent/container-turn";
import { parseAgentSettings } from "../agent/settings";
import { MAX_NOTE_CHARS } from "../agent/tools";
import { channels, messages, sessions } from "../db/schema";
import { bridgeHub, senderSession } from "../objects/addresses";
import type { AppEnv } from "./context";
import { fail } from "./errors";
import { validate } from "./validate";

const sessionParam = z.object({ id: z.string().min(1).max(1_100) });
const noteParam = sessionParam.extend({ noteId: z.coerce.number().int().positive() });
const noteBody = z.strictObject({
  text: z.string().trim().min(1, "text is required").max(MAX_NOTE_CHARS, `text must be at most ${MAX_NOTE_CHARS} characters, like the notes the agent saves`),
});

async function sessionOf(c: { var: AppEnv["Variables"] }, id: string) {
  const row = await c.var.db.select({ channelId: sessions.channelId, senderId: sessions.senderId }).from(sessions).where(eq(sessions.id, id)).get();
  if (!row) fail(404, `no conversation ${id}`);
  return row;
}

/**
 * Queues the removal of the sender's container workspace with the bridge that runs the channel's
 * containers; null when the channel is not in container mode (it has no workspace to remove).
 */
async function removeWorkspace(
  c: { var: AppEnv["Variables"]; env: Env },
  channelId: string,
  senderId: string,
): Promise<{ bridgeId: string; removal: "queued" } | { bridgeId: string | null; removal: "failed"; error: string } | null> {
  const row = await c.var.db.select({ agent: channels.agent, config: channels.config }).from(channels).where(eq(channels.id, channelId)).get();
  if (!row) return null;
  // Only the plain `bridgeId` of the stored config is read: no secret is opened for this.
  const target = containerTarget(c.var.config, parseAgentSettings(row.agent), JSON.parse(row.config) as unknown);
  if (target.mode === "direct") return null;
  if (target.mode === "misconfigured") return { bridgeId: null, removal: "failed", error: target.error };
  const queued = await bridgeHub(c.env, target.bridgeId).removeWorkspace(channelId, senderId);
  return queued.ok ? { bridgeId: target.bridgeId, removal: "queued" } : { bridgeId: target.bridgeId, removal: "failed", error: queued.error };
}

export const senderMemoryRoutes = new Hono<AppEnv>()
  .get("/:id/notes", validate("param", sessionParam), async (c) => {
    const { channelId, senderId } = await sessionOf(c, c.req.valid("param").id);
    return c.json({ notes: await senderSession(c.env, channelId, senderId).notes() });
  })
  .put("/:id/notes/:noteId", validate("param", noteParam), validate("json", noteBody), async (c) => {
    const { id, noteId } = c.req.valid("param");
    const { channelId, senderId } = await sessionOf(c, id);
    const { text } = c.req.valid("json");
    if (!(await senderSession(c.env, channelId, senderId).editNote(noteId, text))) fail(404, `no note ${noteId}`);
    return c.json({ id: noteId, text });
  })
  .delete("/:id/notes/:noteId", validate("param", noteParam), async (c) => {
    const { id, noteId } = c.req.valid("param");
    const { channelId, senderId } = await sessionOf(c, id);
    if (!(await senderSession(c.env, channelId, senderId).removeNote(noteId))) fail(404, `no note ${noteId}`);
    return c.json({ deleted: noteId });
  })
  .delete("/:id", validate("param", sessionParam), async (c) => {
    const { id } = c.req.valid("param");
    const { channelId, senderId } = await sessionOf(c, id);
    // The object first: if it fails, D1 still lists the session, so the admin can try again.
    await senderSession(c.env, channelId, senderId).forget();
    await c.var.db.batch([
      c.var.db.delete(messages).where(and(eq(messages.channelId, channelId), eq(messages.senderId, senderId))),
      c.var.db.delete(sessions).where(eq(sessions.id, id)),
    ]);
    const workspace = await removeWorkspace(c, channelId, senderId);
    return c.json({ deleted: id, ...(workspace ? { workspace } : {}) });
  });
