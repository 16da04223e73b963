/**
 * The files senders attached, for the dashboard's conversation view: `GET /api/media/:id` streams
 * one file's bytes from R2 (behind the login, like every /api route; the dashboard fetches it
 * with its token and shows it as an image or a player), and `mediaForMessages` lists the files
 * and transcripts of a page of messages. R2 keys stay internal.
 */
import { eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import type { Db } from "../db/client";
import { mediaFiles } from "../db/schema";
import type { AppEnv } from "./context";

const D1_MAX_BOUND_VALUES = 100;

/** A file as the API shows it. */
export interface MediaView {
  id: string;
  kind: string;
  status: string;
  mediaType: string;
  name: string | null;
  sizeBytes: number;
  transcript: string | null;
  error: string | null;
  /** The bytes can still be fetched (stored, and not yet removed by the retention sweep). */
  available: boolean;
}

export async function mediaForMessages(db: Db, messageIds: string[]): Promise<Map<string, MediaView[]>> {
  const out = new Map<string, MediaView[]>();
  if (!messageIds.length) return out;
  // D1 binds at most 100 values per statement: a page of up to 500 messages is asked for in groups.
  const rows: (typeof mediaFiles.$inferSelect)[] = [];
  for (let i = 0; i < messageIds.length; i += D1_MAX_BOUND_VALUES) {
    const ids = messageIds.slice(i, i + D1_MAX_BOUND_VALUES);
    rows.push(...(await db.select().from(mediaFiles).where(inArray(mediaFiles.messageId, ids)).orderBy(mediaFiles.id)));
  }
  for (const r of rows) {
    const view: MediaView = {
      id: r.id,
      kind: r.kind,
      status: r.status,
      mediaType: r.mediaType,
      name: r.name,
      sizeBytes: r.sizeBytes,
      transcript: r.transcript,
      error: r.error,
      available: Boolean(r.r2Key) && r.deletedAt === null,
    };
    out.set(r.messageId, [...(out.get(r.messageId) ?? []), view]);
  }
  return out;
}

export const mediaRoutes = new Hono<AppEnv>().get("/:id", async (c) => {
  const row = await c.var.db
    .select()
    .from(mediaFiles)
    .where(eq(mediaFiles.id, c.req.param("id")))
    .get();
  if (!row) return c.json({ error: "no such file" }, 404);
  if (!row.r2Key || row.deletedAt !== null)
    return c.json({ error: row.deletedAt !== null ? "the file was deleted after the retention period" : "the file was not stored" }, 410);
  const object = await c.env.MEDIA.get(row.r2Key);
  if (!object) return c.json({ error: "the file is no longer in storage" }, 410);
  return new Response(object.body, {
    headers: {
      "content-type": row.mediaType,
      "content-length": String(object.size),
      // Sender content: never rendered as a page of this origin, never cached by shared caches.
      "content-disposition": `inline; filename="${(row.name ?? row.id).replace(/["\\\r\n]/g, "_")}"`,
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "private, max-age=300",
    },
  });
});
