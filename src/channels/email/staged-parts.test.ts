/**
 * Staging e-mail attachments for their turn (staged-parts.ts) against an in-memory bucket with
 * R2's semantics: what is staged and what is not, the reference the turn reads back, that a
 * reference cannot reach another channel's files, the cap on reading, and the heartbeat's sweep.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MEDIA_LIMITS } from "../shared/media-limits";
import { readInboundEmail } from "./inbound";
import { STAGED_PREFIX, STAGED_TTL_MS, fetchStagedPart, stageAttachments, sweepStagedParts } from "./staged-parts";

/** An in-memory bucket: put, get (with size and content type), list by prefix in key order with a cursor, delete. */
function memoryBucket(now: () => number) {
  const objects = new Map<string, { bytes: Uint8Array; contentType: string; uploaded: Date }>();
  return {
    objects,
    async put(key: string, value: Uint8Array, o: { httpMetadata: { contentType: string } }) {
      objects.set(key, { bytes: value.slice(), contentType: o.httpMetadata.contentType, uploaded: new Date(now()) });
    },
    async get(key: string) {
      const o = objects.get(key);
      if (!o) return null;
      return { size: o.bytes.byteLength, httpMetadata: { contentType: o.contentType }, arrayBuffer: async () => o.bytes.slice().buffer };
    },
    /** R2's cursor marks a position in key order, so deleting listed keys does not skip later ones; here it is the last key returned. */
    async list(o: { prefix: string; cursor?: string; limit?: number }) {
      const keys = [...objects.keys()].filter((k) => k.startsWith(o.prefix) && (!o.cursor || k > o.cursor)).sort();
      const page = keys.slice(0, o.limit ?? 1000);
      const truncated = page.length < keys.length;
      return {
        objects: page.map((key) => ({ key, uploaded: objects.get(key)!.uploaded })),
        truncated,
        ...(truncated ? { cursor: page.at(-1)! } : {}),
      };
    },
    async delete(keys: string[]) {
      for (const k of keys) objects.delete(k);
    },
  };
}

const MAIL = readFileSync(join(import.meta.dirname, "fixtures", "photo-and-pdf.eml"));
const PHOTO = readFileSync(join(import.meta.dirname, "../telegram/fixtures/photo.jpg"));
const envelope = { from: "jdoe@machine.example", to: "mary@example.net" };

async function parts() {
  const read = await readInboundEmail(MAIL, envelope, "mx.cloudflare.net");
  if (read.kind !== "message") throw new Error(read.kind);
  return read;
}

describe("staged e-mail attachments", () => {
  it("stages the photo and the PDF under the message, not the zip, and the adapter reads them back", async () => {
    const bucket = memoryBucket(() => 1_000);
    const read = await parts();
    const staged = await stageAttachments(read.parts, {
      bucket,
      channelId: "ch_a",
      platformMessageId: read.message.platformMessageId,
      limits: DEFAULT_MEDIA_LIMITS,
    });
    expect(staged.map((a) => [a.name, a.type, a.url?.replace(/[0-9a-f]{64}/, "<hash>")])).toEqual([
      ["meter.jpg", "image/jpeg", "email-part:email-in/ch_a/<hash>/0"],
      ["invoice.pdf", "application/pdf", "email-part:email-in/ch_a/<hash>/1"],
      ["readings.zip", "application/zip", undefined],
    ]);
    expect(staged[0]!.size).toBe(PHOTO.length);
    expect(bucket.objects.size).toBe(2);

    const photo = await fetchStagedPart(staged[0]!, { channelId: "ch_a", stagedFiles: bucket }, 5 * 1024 * 1024);
    expect(photo).toEqual({ ok: true, bytes: new Uint8Array(PHOTO), mediaType: "image/jpeg" });
    expect(await fetchStagedPart(staged[0]!, { channelId: "ch_a", stagedFiles: bucket }, 100)).toMatchObject({
      ok: false,
      reason: "too_large",
      size: PHOTO.length,
    });
    // Another channel cannot read this channel's staged parts, whatever the reference says.
    expect(await fetchStagedPart(staged[0]!, { channelId: "ch_b", stagedFiles: bucket }, 5 * 1024 * 1024)).toMatchObject({ ok: false, reason: "unavailable" });
    expect(await fetchStagedPart({ type: "image/jpeg", url: "https://example.com/x.jpg" }, { channelId: "ch_a", stagedFiles: bucket }, 1000)).toMatchObject({
      ok: false,
      reason: "unavailable",
    });
  });

  it("does not stage a file already over its limit: the turn refuses it from its size", async () => {
    const bucket = memoryBucket(() => 1_000);
    const read = await parts();
    const staged = await stageAttachments(read.parts, {
      bucket,
      channelId: "ch_a",
      platformMessageId: read.message.platformMessageId,
      limits: { ...DEFAULT_MEDIA_LIMITS, imageBytes: 100 },
    });
    expect(staged[0]).toEqual({ type: "image/jpeg", name: "meter.jpg", size: PHOTO.length });
    expect(bucket.objects.size).toBe(1);
  });

  it("leaves a part unstaged (no reference) when the bucket refuses it", async () => {
    const read = await parts();
    const failing = { put: () => Promise.reject(new Error("R2 unavailable")) };
    const staged = await stageAttachments(read.parts, { bucket: failing, channelId: "ch_a", platformMessageId: "x", limits: DEFAULT_MEDIA_LIMITS });
    expect(staged.every((a) => a.url === undefined)).toBe(true);
  });

  it("sweeps staged parts older than a day, across listing pages, and nothing else", async () => {
    let clock = 0;
    const bucket = memoryBucket(() => clock);
    for (let i = 0; i < 1_200; i++)
      await bucket.put(`${STAGED_PREFIX}ch_a/${String(i).padStart(4, "0")}`, new Uint8Array(1), { httpMetadata: { contentType: "image/png" } });
    clock = STAGED_TTL_MS;
    await bucket.put(`${STAGED_PREFIX}ch_a/9999`, new Uint8Array(1), { httpMetadata: { contentType: "image/png" } });
    await bucket.put("media/ch_a/msg_1/0", new Uint8Array(1), { httpMetadata: { contentType: "image/png" } });
    expect(await sweepStagedParts(bucket, STAGED_TTL_MS + 1)).toBe(1_200);
    expect([...bucket.objects.keys()].sort()).toEqual([`${STAGED_PREFIX}ch_a/9999`, "media/ch_a/msg_1/0"]);
  });
});
