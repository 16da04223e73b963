/**
 * Attachment retention against workerd's real R2 and D1 (src/pipeline/media-retention.ts): files
 * older than MEDIA_RETENTION_DAYS leave the bucket and their rows are marked deleted, newer ones
 * stay; `GET /api/media/:id` then answers 410 for the expired file and the bytes for the kept one.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { openDb } from "../../src/db/client";
import { mediaFiles } from "../../src/db/schema";
import { pruneMedia } from "../../src/pipeline/media-retention";
import { adminToken, call } from "./helpers";

const DAY_MS = 86_400_000;

describe("media retention", () => {
  it("deletes files past the retention period from R2 and marks their rows, keeping newer ones", async () => {
    const db = openDb(env.DB);
    const now = Date.now();
    const row = (id: string, createdAt: number) => ({
      id,
      createdAt,
      channelId: "ch_ret",
      senderId: "s1",
      messageId: id.split(":")[0]!,
      kind: "image" as const,
      status: "stored" as const,
      mediaType: "image/png",
      sizeBytes: 4,
      r2Key: `media/ch_ret/${id.replace(":", "/")}`,
    });
    const old = row("inb_old:0", now - 31 * DAY_MS);
    const kept = row("inb_new:0", now - 2 * DAY_MS);
    await db.insert(mediaFiles).values([old, kept]);
    for (const r of [old, kept]) await env.MEDIA.put(r.r2Key, new Uint8Array([1, 2, 3, 4]), { httpMetadata: { contentType: "image/png" } });

    expect(await pruneMedia(db, env.MEDIA, readConfig({ MEDIA_RETENTION_DAYS: "30" }), now)).toBe(1);
    expect(await env.MEDIA.get(old.r2Key)).toBeNull();
    expect(await env.MEDIA.head(kept.r2Key)).not.toBeNull();
    const rows = await db.select({ id: mediaFiles.id, deletedAt: mediaFiles.deletedAt }).from(mediaFiles).orderBy(mediaFiles.id);
    expect(rows.filter((r) => r.id.startsWith("inb_"))).toEqual([
      { id: "inb_new:0", deletedAt: null },
      { id: "inb_old:0", deletedAt: now },
    ]);
    // A second pass finds nothing more to do.
    expect(await pruneMedia(db, env.MEDIA, readConfig({ MEDIA_RETENTION_DAYS: "30" }), now)).toBe(0);

    const token = await adminToken();
    expect((await call("GET", "/api/media/inb_old:0", undefined, token)).status).toBe(410);
    const res = await call("GET", "/api/media/inb_new:0", undefined, token);
    expect(res.status).toBe(200);
  });
});
