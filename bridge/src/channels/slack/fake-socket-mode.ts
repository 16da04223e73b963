/**
 * A fake of Slack's Socket Mode (https://api.slack.com/apis/socket-mode) on 127.0.0.1: the
 * Web API (apps.connections.open with the app-level token; auth.test and chat.postMessage
 * with the bot token, from slack-web-api.ts) and the WebSocket it hands out. The socket
 * takes a one-time ticket, greets with `hello`, sends `events_api` envelopes and expects each
 * `envelope_id` back as an acknowledgement; it can ask the client to reconnect (`disconnect`).
 */
import { randomUUID } from "node:crypto";
import { WebSocketServer, type WebSocket } from "ws";
import { serveFake } from "../../../../test/fakes/http-fake-server";
import { createSlackFake } from "../../../../src/channels/slack/fake-web-api";

export interface Envelope {
  envelope_id: string;
  type: "events_api";
  payload: unknown;
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
}

export async function startSlackSocketModeFake(opts: { botToken: string; appToken: string; appId?: string }) {
  const web = createSlackFake({ botToken: opts.botToken, signingSecret: "unused-in-socket-mode-000" });
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  const state = {
    envelopes: [] as Envelope[],
    acks: [] as { envelope_id: string; payload?: unknown }[],
    /** Frames from the client that are not acknowledgements of a known envelope. */
    protocolErrors: [] as string[],
    connections: 0,
  };

  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    // Slack accepts a ticket once; a client must call apps.connections.open for every connection.
    verifyClient: ({ req }: { req: { url?: string } }) => {
      const ticket = new URL(req.url ?? "/", "ws://127.0.0.1").searchParams.get("ticket") ?? "";
      return tickets.delete(ticket);
    },
  });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const wsPort = (wss.address() as { port: number }).port;
  const appId = opts.appId ?? "A0FAKEAPP1";

  wss.on("connection", (ws) => {
    sockets.add(ws);
    state.connections++;
    ws.on("close", () => sockets.delete(ws));
    ws.on("message", (data) => {
      let frame: { envelope_id?: unknown; payload?: unknown };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        state.protocolErrors.push(`not JSON: ${String(data).slice(0, 100)}`);
        return;
      }
      const id = frame.envelope_id;
      if (typeof id !== "string" || !state.envelopes.some((e) => e.envelope_id === id)) state.protocolErrors.push(`ack for unknown envelope ${String(id)}`);
      else state.acks.push({ envelope_id: id, payload: frame.payload });
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: sockets.size,
        debug_info: { host: "applink-fake", build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
  });

  const http = await serveFake(async (request) => {
    const method = new URL(request.url).pathname.split("/").pop();
    if (method !== "apps.connections.open") return web.handle(request);
    const auth = request.headers.get("authorization");
    if (!auth) return Response.json({ ok: false, error: "not_authed" });
    if (auth !== `Bearer ${opts.appToken}`)
      return Response.json({ ok: false, error: auth.startsWith("Bearer xapp-") ? "invalid_auth" : "not_allowed_token_type" });
    const ticket = randomUUID();
    tickets.add(ticket);
    return Response.json({ ok: true, url: `ws://127.0.0.1:${wsPort}/link/?ticket=${ticket}&app_id=${appId}` });
  });

  return {
    /** The Web API root to give the client (`slackApiUrl`). */
    apiUrl: `${http.url}/api/`,
    web,
    state,
    get connected(): number {
      return sockets.size;
    },
    /** Sends an Events API payload in a new envelope on the open connection; returns the envelope id. */
    deliver(payload: unknown, retry: { attempt: number; reason: string } = { attempt: 0, reason: "" }): string {
      const ws = [...sockets].at(-1);
      if (!ws) throw new Error("no Socket Mode connection open");
      const envelope: Envelope = {
        envelope_id: randomUUID(),
        type: "events_api",
        payload,
        accepts_response_payload: false,
        retry_attempt: retry.attempt,
        retry_reason: retry.reason,
      };
      state.envelopes.push(envelope);
      ws.send(JSON.stringify(envelope));
      return envelope.envelope_id;
    },
    acked(envelopeId: string): boolean {
      return state.acks.some((a) => a.envelope_id === envelopeId);
    },
    /** Slack's "please reconnect" (it recycles connections every few hours): a `disconnect`, then the close. */
    refresh(): void {
      for (const ws of sockets) {
        ws.send(JSON.stringify({ type: "disconnect", reason: "refresh_requested", debug_info: { host: "applink-fake" } }));
        setTimeout(() => ws.close(1000), 50);
      }
    },
    async close(): Promise<void> {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await http.close();
    },
  };
}

export type SlackSocketModeFake = Awaited<ReturnType<typeof startSlackSocketModeFake>>;
