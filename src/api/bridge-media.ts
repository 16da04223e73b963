/**
 * `POST /bridge/media?channelId=<id>`: a bridge hands over the bytes of a file one of its
 * channels received (Signal, WhatsApp Web, Matrix: only the bridge can read them), before it
 * forwards the message that carries it. Authenticated by the bridge's token like
 * `/bridge/connect`; only for a channel that bridge serves. The file's type is the request's
 * `Content-Type`; it is checked against the media limits (docs/media.md) on the declared
 * `Content-Length` before the body is read and again while reading, then staged in the media
 * bucket (src/channels/shared/bridge-media.ts). The answer's `reference` is what the inbound
 * message's attachment carries as its `url`. Files travel over HTTP, not the socket: a
 * WebSocket message to a Durable Object is capped at 1 MiB.
 */
import { Hono } from "hono";
import { isServedBy } from "../channels/shared/bridged-store";
import { BRIDGE_MEDIA_REFERENCE, bridgeMediaKey } from "../channels/shared/bridge-media";
import { baseMediaType, checkBeforeDownload, humanSize, type MediaLimits } from "../channels/shared/media-limits";
import { readCapped } from "../channels/shared/read-body";
import { authenticateBridge } from "./bridges";
import type { AppEnv } from "./context";
import { fail } from "./errors";

export interface BridgeMediaUploaded {
  reference: string;
  size: number;
}

export const bridgeMediaRoutes = new Hono<AppEnv>().post("/media", async (c) => {
  const bridge = await authenticateBridge(c.var.db, c.req.header("authorization"));
  const channelId = c.req.query("channelId") ?? "";
  if (!channelId) fail(400, "channelId is required: the channel the file was received on");
  if (!(await isServedBy(c.var.db, bridge.id, channelId))) fail(403, `channel ${channelId} is not served by this bridge`);
  const type = baseMediaType(c.req.header("content-type") ?? "");
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type)) fail(400, "Content-Type must be the file's media type, e.g. image/jpeg");
  const cfg = c.var.config;
  const limits: MediaLimits = {
    imageBytes: cfg.MEDIA_MAX_IMAGE_BYTES,
    pdfBytes: cfg.MEDIA_MAX_PDF_BYTES,
    textBytes: cfg.MEDIA_MAX_TEXT_BYTES,
    audioBytes: cfg.MEDIA_MAX_AUDIO_BYTES,
  };
  const declared = Number(c.req.header("content-length") ?? Number.NaN);
  const check = checkBeforeDownload({ type, ...(Number.isFinite(declared) ? { size: declared } : {}) }, limits);
  if (check.kind === "other") return c.json({ error: `${type} files are named to the model, not read: do not upload them` }, 415);
  if (!check.ok) {
    // Only a picture the model cannot read or a size over the limit gets here.
    if (Number.isFinite(declared) && declared > 0 && /can be at most/.test(check.reason)) fail(413, check.reason);
    return c.json({ error: check.reason }, 415);
  }
  if (!c.req.raw.body) fail(400, "the body is the file's bytes");
  const bytes = await readCapped(c.req.raw.body, check.maxBytes);
  if (!bytes) fail(413, `the file is over the ${humanSize(check.maxBytes)} limit for ${type}`);
  if (bytes.byteLength === 0) fail(400, "the file is empty");
  const key = bridgeMediaKey(channelId);
  try {
    await c.env.MEDIA.put(key, bytes, { httpMetadata: { contentType: type } });
  } catch (err) {
    console.error(JSON.stringify({ msg: "bridge upload not staged", channelId, error: err instanceof Error ? err.message : String(err) }));
    fail(503, "the media bucket refused the file; try again");
  }
  return c.json({ reference: `${BRIDGE_MEDIA_REFERENCE}${key}`, size: bytes.byteLength } satisfies BridgeMediaUploaded, 201);
});
