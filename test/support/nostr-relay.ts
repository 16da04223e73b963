/**
 * A minimal Nostr relay (NIP-01) on `ws` for the Nostr channel's tests: EVENT (verified: id and
 * Schnorr signature, answered with OK true/false and NIP-01's machine-readable prefixes), REQ
 * (stored events that match, then EOSE, then live ones), CLOSE; filters by ids, authors, kinds,
 * #<tag>, since, until, limit; replaceable kinds (0, 3, 10000-19999) keep the newest per author.
 * It can be stopped and started again on its port with its events kept (a relay restart), and
 * it can push an event it never verified, as a malicious relay would.
 */
import { type WebSocket, WebSocketServer } from "ws";
import { matchFilter, type Filter } from "nostr-tools/filter";
import { verifyEvent, type NostrEvent } from "nostr-tools/pure";

export interface NostrTestRelay {
  url: string;
  /** Every event accepted, in arrival order. */
  events: NostrEvent[];
  /** Every REQ's filters, in arrival order (to see what a client asked for after a reconnect). */
  reqs: Filter[][];
  /** EVENT messages refused, with the OK message sent back. */
  refused: { id: string; reason: string }[];
  /** Connections opened since the relay was created. */
  connections: () => number;
  /** Open connections right now. */
  open: () => number;
  /** Sends `event` to every matching subscription without checking it (a malicious relay). */
  push: (event: unknown) => void;
  /** Drops every connection and stops listening; stored events are kept. */
  stop: () => Promise<void>;
  /** Listens again on the same port. */
  start: () => Promise<void>;
  close: () => Promise<void>;
}

interface Subscription {
  socket: WebSocket;
  id: string;
  filters: Filter[];
}

const isReplaceable = (kind: number) => kind === 0 || kind === 3 || (kind >= 10000 && kind < 20000);

function wellFormed(v: unknown): v is NostrEvent {
  if (typeof v !== "object" || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.id === "string" &&
    typeof e.pubkey === "string" &&
    typeof e.sig === "string" &&
    typeof e.content === "string" &&
    Number.isInteger(e.kind) &&
    Number.isInteger(e.created_at) &&
    Array.isArray(e.tags) &&
    e.tags.every((t) => Array.isArray(t) && t.every((s) => typeof s === "string"))
  );
}

export async function startNostrRelay(port: number): Promise<NostrTestRelay> {
  const events: NostrEvent[] = [];
  const reqs: Filter[][] = [];
  const refused: { id: string; reason: string }[] = [];
  let subs: Subscription[] = [];
  let connections = 0;
  let server: WebSocketServer | null = null;

  const send = (socket: WebSocket, message: unknown[]) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const broadcast = (event: NostrEvent) => {
    for (const s of subs) if (s.filters.some((f) => matchFilter(f, event))) send(s.socket, ["EVENT", s.id, event]);
  };

  const onEvent = (socket: WebSocket, raw: unknown) => {
    if (!wellFormed(raw)) return send(socket, ["NOTICE", "invalid: malformed event"]);
    const reason = !verifyEvent({ ...raw }) ? "invalid: bad event id or signature" : null;
    if (reason) {
      refused.push({ id: raw.id, reason });
      return send(socket, ["OK", raw.id, false, reason]);
    }
    if (events.some((e) => e.id === raw.id)) return send(socket, ["OK", raw.id, true, "duplicate: already have this event"]);
    if (isReplaceable(raw.kind)) {
      const older = events.findIndex((e) => e.kind === raw.kind && e.pubkey === raw.pubkey);
      if (older >= 0 && (events[older]?.created_at ?? 0) > raw.created_at) return send(socket, ["OK", raw.id, true, "duplicate: have a newer one"]);
      if (older >= 0) events.splice(older, 1);
    }
    events.push(raw);
    send(socket, ["OK", raw.id, true, ""]);
    broadcast(raw);
  };

  const onReq = (socket: WebSocket, subId: unknown, filters: unknown[]) => {
    if (typeof subId !== "string" || subId.length === 0 || subId.length > 64) return send(socket, ["NOTICE", "invalid: subscription id"]);
    const parsed = filters.filter((f): f is Filter => typeof f === "object" && f !== null);
    reqs.push(parsed);
    subs = subs.filter((s) => !(s.socket === socket && s.id === subId));
    subs.push({ socket, id: subId, filters: parsed });
    const matching = new Map<string, NostrEvent>();
    for (const f of parsed) {
      const hits = events.filter((e) => matchFilter(f, e)).sort((a, b) => b.created_at - a.created_at);
      for (const e of f.limit === undefined ? hits : hits.slice(0, f.limit)) matching.set(e.id, e);
    }
    for (const e of [...matching.values()].sort((a, b) => b.created_at - a.created_at)) send(socket, ["EVENT", subId, e]);
    send(socket, ["EOSE", subId]);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const wss = new WebSocketServer({ host: "127.0.0.1", port });
      wss.once("listening", () => resolve());
      wss.once("error", reject);
      wss.on("connection", (socket) => {
        connections++;
        socket.on("message", (data) => {
          let msg: unknown;
          try {
            msg = JSON.parse(data.toString());
          } catch {
            return send(socket, ["NOTICE", "invalid: not JSON"]);
          }
          if (!Array.isArray(msg)) return send(socket, ["NOTICE", "invalid: not a JSON array"]);
          const [type, ...rest] = msg as unknown[];
          if (type === "EVENT") onEvent(socket, rest[0]);
          else if (type === "REQ") onReq(socket, rest[0], rest.slice(1));
          else if (type === "CLOSE") subs = subs.filter((s) => !(s.socket === socket && s.id === rest[0]));
          else send(socket, ["NOTICE", `invalid: unknown message type ${String(type)}`]);
        });
        socket.on("close", () => (subs = subs.filter((s) => s.socket !== socket)));
      });
      server = wss;
    });

  const stop = async () => {
    const wss = server;
    server = null;
    if (!wss) return;
    for (const client of wss.clients) client.terminate();
    subs = [];
    await new Promise<void>((r) => wss.close(() => r()));
  };

  await listen();
  return {
    url: `ws://127.0.0.1:${port}`,
    events,
    reqs,
    refused,
    connections: () => connections,
    open: () => server?.clients.size ?? 0,
    push: (event) => {
      for (const s of subs) send(s.socket, ["EVENT", s.id, event]);
    },
    stop,
    start: listen,
    close: stop,
  };
}
