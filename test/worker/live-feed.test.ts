import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, BASE, call } from "./helpers";

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
