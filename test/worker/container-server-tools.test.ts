/**
 * Server tools and MCP servers in container turns through the real Worker, with a fake bridge
 * on /bridge/connect: the turn a paired sender's message becomes carries the channel's server
 * tools and MCP server, the token opened in the frame on the link (first send and re-send
 * alike) but sealed in the hub's queue; a public-tier sender's turn carries neither.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { bridgeHub } from "../../src/objects/addresses";
import { adminToken, BASE, call, createWebhookChannel, eventually, message, signedPost, connectFakeBridge } from "./helpers";

type Frame = { t: string; id?: string; spec?: { serverTools?: unknown[]; mcpServers?: unknown[] }; [k: string]: unknown };

const TOKEN = "crm-bearer-worker-5d8e-secret";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});

async function connect(bridgeToken: string) {
  const { ws, frames } = await connectFakeBridge<Frame>(bridgeToken);
  return { ws, turns: () => frames.filter((f) => f.t === "turn") };
}

describe("container turns with server tools and MCP servers", () => {
  it("carry the channel's tools and MCP server, the token opened only on the link and sealed in the hub's queue", async () => {
    const server = await call(
      "POST",
      "/api/mcp-servers",
      { name: "crm-ct", url: "https://crm.example.com/mcp", token: TOKEN, allowedTools: ["find_contact"] },
      token,
    );
    expect(server.status).toBe(201);
    const created = await call<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "server-tools-hub" }, token);
    const bridgeId = created.body.bridge.id;
    const agent = { container: true, containerBridgeId: bridgeId, serverTools: { webSearch: { maxUses: 2 } }, mcpServers: ["crm-ct"] };
    const paired = await createWebhookChannel(token, { policy: "allowlist", allowlist: ["ada"], agent });
    const open = await createWebhookChannel(token, { policy: "open", agent });

    const first = await connect(created.body.token);
    await signedPost(paired.url, paired.secret, message("ada", "search for me"));
    const [turn] = await eventually(async () => first.turns().length > 0 && first.turns());
    expect(turn!.spec!.serverTools).toEqual([{ type: "web_search_20250305", name: "web_search", max_uses: 2 }]);
    expect(turn!.spec!.mcpServers).toEqual([{ name: "crm-ct", url: "https://crm.example.com/mcp", token: TOKEN, allowedTools: ["find_contact"] }]);

    const queued = await runInDurableObject(bridgeHub(env, bridgeId), (_o, state) =>
      state.storage.sql
        .exec<{ frame: string }>("SELECT frame FROM turns")
        .toArray()
        .map((r) => r.frame),
    );
    expect(queued).toHaveLength(1);
    expect(queued[0]).not.toContain(TOKEN);
    expect(queued[0]).toContain('"sealedToken":"enc:');

    // Not accepted before the link dropped: re-sent on the next connection, token opened again.
    first.ws.close(1000, "restarting");
    const again = await connect(created.body.token);
    const [resent] = await eventually(async () => again.turns().length > 0 && again.turns());
    expect(resent).toEqual(turn);

    // A public-tier sender (an open channel): no server tools by default, never an MCP server.
    await signedPost(open.url, open.secret, message("stranger", "search for me too"));
    const publicTurn = (await eventually(async () => again.turns().find((t) => t.channelId === open.id)))!;
    expect(publicTurn.spec).not.toHaveProperty("serverTools");
    expect(publicTurn.spec).not.toHaveProperty("mcpServers");
    again.ws.close(1000, "done");
  });
});
