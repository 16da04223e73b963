/**
 * A fake Discord gateway on 127.0.0.1 that speaks the documented protocol
 * (https://discord.com/developers/docs/events/gateway): Hello (op 10) with a heartbeat
 * interval, Identify (op 2) checked for the token, properties and intents (4004 for a wrong
 * token, 4013 for unknown bits, 4014 for the Message Content intent when the app may not use
 * it), Heartbeat (op 1) answered with ACK (op 11), READY with a session id and a resume URL,
 * dispatches numbered by sequence, and Resume (op 6) replaying what the session missed before
 * RESUMED; an unknown session gets Invalid Session (op 9, d:false).
 */
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

const MESSAGE_CONTENT_INTENT = 1 << 15;
const KNOWN_INTENTS = (1 << 26) - 1;

interface Session {
  id: string;
  seq: number;
  events: { s: number; t: string; d: unknown }[];
  socket: WebSocket | null;
}

export interface DiscordGatewayFakeOptions {
  botToken: string;
  bot: { id: string; username: string };
  heartbeatIntervalMs?: number;
  /** Whether the app is allowed the privileged Message Content intent (the portal switch). */
  messageContentAllowed?: boolean;
}

export async function startDiscordGatewayFake(options: DiscordGatewayFakeOptions) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => server.once("listening", () => r()));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sessions = new Map<string, Session>();
  let current: Session | null = null;
  let nextSession = 1;
  const state = {
    identifies: [] as { intents: number; properties: unknown }[],
    resumes: [] as { session_id: string; seq: number }[],
    heartbeats: [] as (number | null)[],
    /** Query strings clients connected with (v, encoding). */
    connectQueries: [] as string[],
    protocolErrors: [] as string[],
    /** Connections currently open. */
    open: 0,
  };

  const send = (ws: WebSocket, payload: { op: number; d: unknown; s?: number | null; t?: string | null }) =>
    ws.send(JSON.stringify({ s: null, t: null, ...payload }));

  function dispatchTo(session: Session, t: string, d: unknown): number {
    const s = ++session.seq;
    session.events.push({ s, t, d });
    if (session.socket) send(session.socket, { op: 0, s, t, d });
    return s;
  }

  server.on("connection", (ws, req) => {
    state.open++;
    state.connectQueries.push(new URL(req.url ?? "/", url).search);
    let session: Session | null = null;
    send(ws, { op: 10, d: { heartbeat_interval: options.heartbeatIntervalMs ?? 41_250 } });
    ws.on("close", () => {
      state.open--;
      if (session?.socket === ws) session.socket = null;
    });
    ws.on("message", (raw) => {
      let p: { op?: number; d?: Record<string, unknown> | number | null };
      try {
        p = JSON.parse(String(raw)) as typeof p;
      } catch {
        state.protocolErrors.push("payload is not JSON");
        return ws.close(4002, "Error while decoding payload.");
      }
      if (p.op === 1) {
        state.heartbeats.push(typeof p.d === "number" ? p.d : null);
        return send(ws, { op: 11, d: null });
      }
      const d = (typeof p.d === "object" && p.d !== null ? p.d : {}) as Record<string, unknown>;
      if (p.op === 2) {
        if (session) return ws.close(4005, "Already authenticated.");
        if (d.token !== options.botToken) return ws.close(4004, "Authentication failed.");
        const intents = Number(d.intents);
        const props = d.properties as Record<string, unknown> | undefined;
        if (!props || typeof props.os !== "string" || typeof props.browser !== "string" || typeof props.device !== "string") {
          state.protocolErrors.push("identify without properties {os, browser, device}");
          return ws.close(4002, "Error while decoding payload.");
        }
        if (!Number.isInteger(intents) || (intents & ~KNOWN_INTENTS) !== 0) return ws.close(4013, "Invalid intent(s).");
        if (intents & MESSAGE_CONTENT_INTENT && options.messageContentAllowed === false) return ws.close(4014, "Disallowed intent(s).");
        state.identifies.push({ intents, properties: props });
        session = { id: `fake-session-${nextSession++}`, seq: 0, events: [], socket: ws };
        sessions.set(session.id, session);
        current = session;
        dispatchTo(session, "READY", {
          v: 10,
          user: { id: options.bot.id, username: options.bot.username, discriminator: "0", global_name: null, avatar: null, bot: true },
          guilds: [],
          session_id: session.id,
          resume_gateway_url: url,
          shard: [0, 1],
          application: { id: options.bot.id, flags: 0 },
        });
        return;
      }
      if (p.op === 6) {
        if (d.token !== options.botToken) return ws.close(4004, "Authentication failed.");
        const known = sessions.get(String(d.session_id));
        state.resumes.push({ session_id: String(d.session_id), seq: Number(d.seq) });
        if (!known) return send(ws, { op: 9, d: false });
        session = known;
        current = known;
        known.socket?.close(4000, "Session resumed elsewhere.");
        known.socket = ws;
        for (const e of known.events) if (e.s > Number(d.seq)) send(ws, { op: 0, s: e.s, t: e.t, d: e.d });
        dispatchTo(known, "RESUMED", {});
        return;
      }
      if (!session) return ws.close(4003, "Not authenticated.");
      state.protocolErrors.push(`unexpected opcode ${String(p.op)}`);
    });
  });

  return {
    url,
    state,
    /** Sends an event on the current session (held for a resume while nobody is connected); returns its sequence number. */
    dispatch(t: string, d: unknown): number {
      if (!current) throw new Error("no gateway session yet");
      return dispatchTo(current, t, d);
    },
    get sessionId() {
      return current?.id ?? null;
    },
    /** Drops the TCP connection without a close frame, as a network failure would. */
    dropConnection() {
      current?.socket?.terminate();
    },
    /** Forgets every session: the next Resume gets Invalid Session. */
    invalidateSessions() {
      sessions.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of server.clients) c.terminate();
        server.close(() => r());
      }),
  };
}
