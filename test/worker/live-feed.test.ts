import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, BASE, call, eventually } from "./helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});

function upgrade(headers: Record<string, string>, query = "") {
  return SELF.fetch(`${BASE}/api/live${query}`, { headers: { upgrade: "websocket", ...headers } });
}

describe("live feed WebSocket", () => {
  it("accepts the token as a subprotocol, answers only the plain protocol name, and streams events", async () => {
    const res = await upgrade({ "sec-websocket-protocol": `loopgate, loopgate.bearer.${token}` });
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe("loopgate");
    const ws = res.webSocket!;
    const frames: { kind: string; detail?: Record<string, unknown> }[] = [];
    ws.addEventListener("message", (e) => frames.push(JSON.parse(e.data as string)));
    ws.accept();
    await call("POST", "/api/chat?wait=10", { text: "seen live" }, token);
    for (let i = 0; i < 100 && !frames.some((f) => f.kind === "reply.delivered"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(frames.map((f) => f.kind)).toEqual(expect.arrayContaining(["feed.hello", "message.received", "agent.run", "reply.delivered"]));
    expect(frames.find((f) => f.kind === "message.received")?.detail?.text).toBe("seen live");
    ws.close();
  });

  it("accepts the Authorization header (CLI), and refuses a token in the URL or none at all", async () => {
    expect((await upgrade({ authorization: `Bearer ${token}` })).status).toBe(101);
    expect((await upgrade({}, `?token=${token}`)).status).toBe(401);
    expect((await upgrade({ "sec-websocket-protocol": "loopgate, loopgate.bearer.lg_forged" })).status).toBe(401);
    expect((await upgrade({})).status).toBe(401);
  });
});

/** Opens the feed with `tok` and records what arrives and whether (and how) it was closed. */
async function openFeed(tok: string) {
  const res = await upgrade({ authorization: `Bearer ${tok}` });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: { kind: string; detail?: Record<string, unknown> }[] = [];
  const state: { closed?: { code: number; reason: string } } = {};
  ws.addEventListener("message", (e) => frames.push(JSON.parse(e.data as string)));
  ws.addEventListener("close", (e) => {
    state.closed = { code: e.code, reason: e.reason };
  });
  ws.accept();
  await eventually(async () => frames.some((f) => f.kind === "feed.hello"));
  return { ws, frames, state, texts: () => frames.filter((f) => f.kind === "message.received").map((f) => f.detail?.text) };
}

function feedStub() {
  return env.LIVE_FEED.get(env.LIVE_FEED.idFromName("global"));
}

describe("live feed and revoked credentials", () => {
  it("closes a socket as soon as its API token is revoked; nothing sent afterwards reaches it", async () => {
    const minted = await call<{ id: string; token: string }>("POST", "/api/tokens", { name: "feed reader" }, token);
    const feed = await openFeed(minted.body.token);
    await call("POST", "/api/chat?wait=10", { text: "before revoking" }, token);
    await eventually(async () => feed.texts().includes("before revoking"));
    expect((await call("DELETE", `/api/tokens/${minted.body.id}`, undefined, token)).status).toBe(200);
    await eventually(async () => feed.state.closed);
    expect(feed.state.closed?.code).toBe(4001);
    await call("POST", "/api/chat?wait=10", { text: "after revoking" }, token);
    expect(feed.texts()).not.toContain("after revoking");
  });

  it("closes the sockets of a session that logs out, and only those", async () => {
    const session = await adminToken();
    const mine = await openFeed(session);
    const other = await openFeed(token);
    expect((await call("POST", "/api/auth/logout", undefined, session)).status).toBe(200);
    await eventually(async () => mine.state.closed);
    await call("POST", "/api/chat?wait=10", { text: "after logout" }, token);
    await eventually(async () => other.texts().includes("after logout"));
    expect(mine.texts()).not.toContain("after logout");
    expect(other.state.closed).toBeUndefined();
    other.ws.close();
  });

  it("re-checks open sockets periodically: a token that expired (or vanished) loses its socket", async () => {
    const minted = await call<{ id: string; token: string }>("POST", "/api/tokens", { name: "expiring", expiresInDays: 1 }, token);
    const feed = await openFeed(minted.body.token);
    await env.DB.prepare("UPDATE auth_tokens SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, minted.body.id)
      .run();
    expect(await runDurableObjectAlarm(feedStub())).toBe(true);
    await eventually(async () => feed.state.closed);
    expect(feed.state.closed?.code).toBe(4001);
    await call("POST", "/api/chat?wait=10", { text: "after expiry" }, token);
    expect(feed.texts()).not.toContain("after expiry");
  });
});
