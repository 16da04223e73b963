/**
 * A fake Mattermost server on 127.0.0.1 for the bridge's WebSocket channel: the REST API v4
 * of src/channels/mattermost/fake-server.ts and, on the same origin, /api/v4/websocket. The
 * socket expects `{"seq":1,"action":"authentication_challenge","data":{"token":...}}`, answers
 * `{"status":"OK","seq_reply":1}` (or FAIL for a wrong token) and a `hello` event, then
 * broadcasts every new post to the members of its channel as a `posted` event: `data.post` a
 * JSON string, `channel_type`, `sender_name`, and `mentions` (a JSON string array of user ids)
 * when the post @-mentions someone. Only the bot is connected, so only its channels are sent.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { createMattermostFake, FAKE_BOT_USER_ID, FAKE_BOT_USERNAME, type FakeChannel, type FakePost } from "../../../../src/channels/mattermost/fake-server";

interface FakeConnection {
  ws: WebSocket;
  authenticated: boolean;
  seq: number;
}

async function toRequest(req: IncomingMessage, port: number): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://127.0.0.1:${port}${req.url ?? "/"}`, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
}

export async function startMattermostWebSocketFake(opts: { botToken: string }) {
  const rest = createMattermostFake({ botToken: opts.botToken });
  const connections = new Set<FakeConnection>();
  const state = {
    /** Tokens received in authentication challenges, in order. */
    challenges: [] as string[],
    connections: 0,
    /** Frames from the client that Mattermost would not understand. */
    protocolErrors: [] as string[],
    /** Users known by id, for `sender_name`. */
    usernames: new Map<string, string>([[FAKE_BOT_USER_ID, FAKE_BOT_USERNAME]]),
  };

  const server = createServer((req, res) => {
    void (async () => {
      const response = await rest.handle(await toRequest(req, port));
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      res.writeHead(response.status, headers).end(Buffer.from(await response.arrayBuffer()));
    })();
  });
  const wss = new WebSocketServer({ server, path: "/api/v4/websocket" });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;

  const sendEvent = (c: FakeConnection, event: string, data: unknown, broadcast: Record<string, unknown>) =>
    c.ws.send(JSON.stringify({ event, data, broadcast: { omit_users: null, user_id: "", channel_id: "", team_id: "", ...broadcast }, seq: c.seq++ }));

  wss.on("connection", (ws) => {
    const c: FakeConnection = { ws, authenticated: false, seq: 0 };
    connections.add(c);
    state.connections++;
    ws.on("close", () => connections.delete(c));
    ws.on("message", (raw) => {
      let frame: { seq?: unknown; action?: unknown; data?: { token?: unknown } };
      try {
        frame = JSON.parse(String(raw)) as typeof frame;
      } catch {
        state.protocolErrors.push(`not JSON: ${String(raw).slice(0, 100)}`);
        return;
      }
      if (frame.action !== "authentication_challenge" || typeof frame.seq !== "number") {
        state.protocolErrors.push(`unexpected frame: ${String(raw).slice(0, 100)}`);
        return;
      }
      const token = typeof frame.data?.token === "string" ? frame.data.token : "";
      state.challenges.push(token);
      if (token !== opts.botToken) {
        ws.send(JSON.stringify({ status: "FAIL", seq_reply: frame.seq, error: { id: "api.web_socket_router.bad_token.app_error", message: "Invalid token" } }));
        return;
      }
      c.authenticated = true;
      ws.send(JSON.stringify({ status: "OK", seq_reply: frame.seq }));
      sendEvent(c, "hello", { server_version: "9.11.0.fake", connection_id: `conn${state.connections}` }, { user_id: FAKE_BOT_USER_ID });
    });
  });

  rest.onPost((post: FakePost, channel: FakeChannel) => {
    if (!rest.state.channels.has(post.channel_id)) return;
    const mentioned = new RegExp(`@${FAKE_BOT_USERNAME}\\b`, "i").test(post.message) ? [FAKE_BOT_USER_ID] : [];
    const data: Record<string, unknown> = {
      channel_display_name: channel.type === "D" ? "@alice" : "Town Square",
      channel_name: channel.type === "D" ? `${FAKE_BOT_USER_ID}__${post.user_id}` : "town-square",
      channel_type: channel.type,
      post: JSON.stringify(post),
      sender_name: `@${state.usernames.get(post.user_id) ?? "someone"}`,
      set_online: true,
      team_id: channel.type === "D" || channel.type === "G" ? "" : "teamteamteamteamteamteam00",
    };
    // Mattermost includes `mentions` only when the post mentions someone.
    if (mentioned.length) data.mentions = JSON.stringify(mentioned);
    for (const c of connections) if (c.authenticated) sendEvent(c, "posted", data, { channel_id: post.channel_id });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    rest,
    state,
    get connected(): number {
      return [...connections].filter((c) => c.authenticated).length;
    },
    /** The network drops every socket (no close frame): the client must notice and reconnect. */
    dropConnections(): void {
      for (const c of connections) c.ws.terminate();
    },
    async close(): Promise<void> {
      for (const c of connections) c.ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type MattermostWebSocketFake = Awaited<ReturnType<typeof startMattermostWebSocketFake>>;
