/**
 * `loopgate bridge token|list|disconnect|revoke`: the bridge processes that hold sockets for
 * platforms without webhooks (docs/bridge.md). A bridge token is shown once, at `bridge token`,
 * with how to start the bridge with it; the gateway keeps only its hash.
 */
import type { CommandSpec } from "../command";
import { type Gateway, unwrap } from "../connection";
import { formatTime, renderPairs } from "../output";
import { pickByRef } from "../pick-by-ref";

/** A bridge by id or, failing that, by its (unique) name. */
async function findBridge(gw: Gateway, ref: string) {
  return pickByRef((await unwrap(gw, gw.client.api.bridges.$get())).bridges, ref, { one: "bridge", many: "bridges", list: "bridge list" });
}

const token: CommandSpec = {
  path: ["bridge", "token"],
  summary: "create a bridge and print its token (shown only once) with how to run the bridge",
  args: ["NAME"],
  remote: true,
  details: [
    "The bridge dials out to the gateway, so it can run behind NAT. Start it with the token:",
    "  LOOPGATE_URL=<gateway> LOOPGATE_BRIDGE_TOKEN=<token> npm run bridge",
    "then create its channels with the bridge's id as config.bridgeId. See docs/bridge.md.",
  ].join("\n"),
  async run({ args, gateway, out }) {
    const gw = gateway();
    const created = await unwrap(gw, gw.client.api.bridges.$post({ json: { name: args[0]! } }));
    const env = { LOOPGATE_URL: gw.url, LOOPGATE_BRIDGE_TOKEN: created.token };
    out.data({ bridge: created.bridge, token: created.token, run: { env, command: "npm run bridge" } });
    out.say(
      renderPairs([
        ["created", `bridge ${created.bridge.name} (${created.bridge.id})`],
        ["token", created.token],
      ]),
    );
    out.say(
      [
        "",
        "The token is shown only now: the gateway stores only its hash. Keep it where the bridge runs.",
        "Start the bridge (in this repository) with:",
        `  LOOPGATE_URL=${env.LOOPGATE_URL} LOOPGATE_BRIDGE_TOKEN=${env.LOOPGATE_BRIDGE_TOKEN} npm run bridge`,
        "or on a server: the same two variables with `docker compose -f bridge/compose.yaml up -d`.",
        `Then add its channels with "bridgeId": "${created.bridge.id}" in their config; \`loopgate bridge list\` shows when it is up.`,
      ].join("\n"),
    );
  },
};

const list: CommandSpec = {
  path: ["bridge", "list"],
  summary: "list bridges with their connection state (never their tokens)",
  remote: true,
  async run({ gateway, out }) {
    const gw = gateway();
    const body = await unwrap(gw, gw.client.api.bridges.$get());
    out.data(body);
    out.table(
      ["id", "name", "status", "connected", "queued replies", "last seen", "last error"],
      body.bridges.map((b) => [b.id, b.name, b.status, b.connected ? "yes" : "no", b.queuedReplies, formatTime(b.lastSeenAt), b.lastError]),
      "No bridges yet. Create one with `loopgate bridge token NAME`.",
    );
  },
};

const disconnect: CommandSpec = {
  path: ["bridge", "disconnect"],
  summary: "drop a bridge's live connection (it reconnects by itself); by id or name",
  args: ["BRIDGE"],
  remote: true,
  async run({ args, gateway, out }) {
    const gw = gateway();
    const bridge = await findBridge(gw, args[0]!);
    const body = await unwrap(gw, gw.client.api.bridges[":id"].disconnect.$post({ param: { id: bridge.id } }));
    out.data({ ...body, id: bridge.id, name: bridge.name });
    out.say(body.wasConnected ? `Dropped the connection of ${bridge.name}; it will reconnect.` : `${bridge.name} was not connected.`);
  },
};

const revoke: CommandSpec = {
  path: ["bridge", "revoke"],
  summary: "revoke a bridge's token, close its connection for good and drop its queue; by id or name",
  args: ["BRIDGE"],
  remote: true,
  async run({ args, gateway, out }) {
    const gw = gateway();
    const bridge = await findBridge(gw, args[0]!);
    await unwrap(gw, gw.client.api.bridges[":id"].$delete({ param: { id: bridge.id } }));
    out.data({ ok: true, id: bridge.id, name: bridge.name });
    out.say(`Revoked bridge ${bridge.name} (${bridge.id}); its token no longer connects.`);
  },
};

export const bridgeCommands = [token, list, disconnect, revoke];
