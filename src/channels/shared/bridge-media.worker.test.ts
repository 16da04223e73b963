/**
 * The bridge's file hand-over (POST /bridge/media) in workerd: the token checked like
 * /bridge/connect, only channels the bridge serves, the media limits applied on the declared
 * length and while reading, the file staged under `bridge-in/<channel>/`; the channel's adapter
 * reads back only its own channel's references; the heartbeat's sweep deletes old uploads.
 */
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, BASE, call } from "../../../test/worker/helpers";
import { matrixAdapter } from "../matrix";
import { signalAdapter } from "../signal";
import { BRIDGE_STAGED_PREFIX, sweepBridgeMedia } from "./bridge-media";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);

let admin: string;
let bridgeToken: string;
let otherToken: string;
let signalId: string;
let foreignId: string;

async function bridge(name: string) {
  const res = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name }, admin);
  expect(res.status).toBe(201);
  return res.body;
}

async function signalChannel(bridgeId: string, account: string) {
  const res = await call<{ channel: { id: string } }>("POST", "/api/channels", { type: "signal", name: account, config: { bridgeId, account } }, admin);
  expect(res.status).toBe(201);
  return res.body.channel.id;
}

function upload(o: { token?: string; channelId: string; type?: string; body: BodyInit | ReadableStream; length?: number }) {
  const headers: Record<string, string> = { "content-type": o.type ?? "image/png" };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  if (o.length !== undefined) headers["content-length"] = String(o.length);
  return SELF.fetch(`${BASE}/bridge/media?channelId=${encodeURIComponent(o.channelId)}`, { method: "POST", headers, body: o.body });
}

beforeAll(async () => {
  admin = await adminToken();
  const mine = await bridge("uploads");
  bridgeToken = mine.token;
  signalId = await signalChannel(mine.bridge.id, "+15550001001");
  const other = await bridge("someone else's");
  otherToken = other.token;
  foreignId = await signalChannel(other.bridge.id, "+15550001002");
});

describe("POST /bridge/media", () => {
  it("stages a file of a served channel and answers its reference", async () => {
    const res = await upload({ token: bridgeToken, channelId: signalId, body: PNG });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { reference: string; size: number };
    expect(body.size).toBe(PNG.byteLength);
    expect(body.reference).toMatch(new RegExp(`^bridge-media:bridge-in/${signalId}/[0-9a-f-]{36}$`));
    const stored = await env.MEDIA.get(body.reference.slice("bridge-media:".length));
    expect(stored?.httpMetadata?.contentType).toBe("image/png");
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(PNG);
  });

  it("refuses a missing or wrong token with 401", async () => {
    expect((await upload({ channelId: signalId, body: PNG })).status).toBe(401);
    expect((await upload({ token: "lgb_notarealtoken", channelId: signalId, body: PNG })).status).toBe(401);
    // An admin's token is not a bridge's.
    expect((await upload({ token: admin, channelId: signalId, body: PNG })).status).toBe(401);
  });

  it("refuses a channel the bridge does not serve with 403, and stores nothing", async () => {
    const before = await env.MEDIA.list({ prefix: `${BRIDGE_STAGED_PREFIX}${foreignId}/` });
    const res = await upload({ token: bridgeToken, channelId: foreignId, body: PNG });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/not served by this bridge/);
    expect((await upload({ token: bridgeToken, channelId: "ch_nope", body: PNG })).status).toBe(403);
    const after = await env.MEDIA.list({ prefix: `${BRIDGE_STAGED_PREFIX}${foreignId}/` });
    expect(after.objects.length).toBe(before.objects.length);
  });

  it("refuses an oversized file with 413: on its declared length, and while reading a body without one", async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set(PNG);
    const declared = await upload({ token: bridgeToken, channelId: signalId, body: big, length: big.byteLength });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toMatch(/at most 5 MB/);
    // Streamed without a length: cut off once it passes the 5 MB picture limit.
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= big.byteLength) return controller.close();
        const chunk = big.subarray(sent, sent + 256 * 1024);
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const streamed = await upload({ token: bridgeToken, channelId: signalId, body: stream });
    expect(streamed.status).toBe(413);
    // A PDF of the same size is within its own 32 MB limit.
    const pdf = new Uint8Array(big.byteLength);
    pdf.set(new TextEncoder().encode("%PDF-1.7\n"));
    expect((await upload({ token: bridgeToken, channelId: signalId, type: "application/pdf", body: pdf })).status).toBe(201);
  });

  it("refuses files the model never reads (415) and a missing type (400)", async () => {
    expect((await upload({ token: bridgeToken, channelId: signalId, type: "video/mp4", body: PNG })).status).toBe(415);
    expect((await upload({ token: bridgeToken, channelId: signalId, type: "image/heic", body: PNG })).status).toBe(415);
    expect((await upload({ token: bridgeToken, channelId: signalId, type: "not a type", body: PNG })).status).toBe(400);
    expect((await upload({ token: otherToken, channelId: foreignId, body: new Uint8Array(0) })).status).toBe(400);
  });
});

describe("reading an upload back for the turn", () => {
  const ctx = (channelId: string) => ({ channelId, stagedFiles: env.MEDIA, config: {}, publicUrl: "", now: Date.now(), fetch });

  it("resolves only references of the adapter's own channel", async () => {
    const res = await upload({ token: bridgeToken, channelId: signalId, body: PNG });
    const { reference } = (await res.json()) as { reference: string };
    const own = await signalAdapter.fetchAttachment!({ type: "image/png", url: reference }, ctx(signalId) as never, 1024);
    expect(own).toMatchObject({ ok: true, mediaType: "image/png" });
    expect(own.ok && own.bytes).toEqual(PNG);
    // The same reference presented on another channel (of any type) is not read.
    expect(await signalAdapter.fetchAttachment!({ type: "image/png", url: reference }, ctx(foreignId) as never, 1024)).toMatchObject({
      ok: false,
      reason: "unavailable",
    });
    expect(await matrixAdapter.fetchAttachment!({ type: "image/png", url: reference }, ctx("ch_matrix") as never, 1024)).toMatchObject({ ok: false });
    // Nor a key outside the bridge prefix, a climb out of it, or another scheme.
    for (const url of [`bridge-media:email-in/${signalId}/x/0`, `bridge-media:bridge-in/${signalId}/../${foreignId}/x`, `email-part:bridge-in/${signalId}/x`])
      expect(await signalAdapter.fetchAttachment!({ type: "image/png", url }, ctx(signalId) as never, 1024)).toMatchObject({
        ok: false,
        reason: "unavailable",
      });
    // Over the turn's limit: refused from the stored size.
    expect(await signalAdapter.fetchAttachment!({ type: "image/png", url: reference }, ctx(signalId) as never, 10)).toMatchObject({
      ok: false,
      reason: "too_large",
    });
  });

  it("is swept by the heartbeat a day after upload", async () => {
    const res = await upload({ token: bridgeToken, channelId: signalId, body: PNG });
    const key = ((await res.json()) as { reference: string }).reference.slice("bridge-media:".length);
    expect(await sweepBridgeMedia(env.MEDIA, Date.now())).toBe(0);
    expect(await env.MEDIA.head(key)).not.toBeNull();
    expect(await sweepBridgeMedia(env.MEDIA, Date.now() + 86_400_000 + 60_000)).toBeGreaterThan(0);
    expect(await env.MEDIA.head(key)).toBeNull();
  });
});
