/**
 * A fake Matrix homeserver on 127.0.0.1 for the Matrix channel's end-to-end tests: the
 * client-server endpoints matrix-js-sdk calls (versions, whoami, filters, long-poll /sync with
 * since tokens, join/leave/invite/createRoom, send, redact, state, members, profile) and, for
 * encryption, key upload/query/claim and to-device relay (matrix-homeserver-keys.ts), so two
 * real SDK clients with the Rust crypto talk through it. Media are served from the
 * authenticated `GET /_matrix/client/v1/media/download/{serverName}/{mediaId}` (Matrix 1.11),
 * token checked, bytes as stored (ciphertext for encrypted rooms). Access tokens are checked like a
 * homeserver does (401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN); errors are `{errcode, error}`. A user's
 * room sends can be rate-limited as Synapse's `rc_message` does (429 M_LIMIT_EXCEEDED with
 * `retry_after_ms`).
 * https://spec.matrix.org/v1.12/client-server-api/
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeKeyStore } from "./matrix-homeserver-keys";
import { type FakeRoom, type RoomEvent, strippedState, syncRooms } from "./matrix-homeserver-sync";

type Json = Record<string, unknown>;

export interface FakeUser {
  userId: string;
  displayName: string;
}

export interface MatrixHomeserver {
  url: string;
  serverName: string;
  /** Registers a user and returns its access token for `deviceId`. */
  addUser(localpart: string, displayName: string, deviceId: string, token: string): string;
  rooms: Map<string, FakeRoom>;
  /** Every request: method and path without query. */
  calls: { method: string; path: string; status: number }[];
  /** Timeline events of a room, as stored. */
  events(roomId: string): RoomEvent[];
  /** Every typing notice accepted (`PUT /rooms/{roomId}/typing/{userId}`), in order; `timeout` as Synapse applies it. */
  typing: { roomId: string; userId: string; typing: boolean; timeout?: number }[];
  /** Stores a file as an upload would and returns its `mxc://` URI. */
  addMedia(bytes: Uint8Array, contentType: string): string;
  /**
   * Limits a user's room sends like Synapse's `rc_message`: a bucket of `burst` sends refilled at
   * `perSecond`; past it, 429 M_LIMIT_EXCEEDED with the `retry_after_ms` until the next send
   * fits. Null lifts it.
   */
  limitSends(userId: string, limit: { burst: number; perSecond: number } | null): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    readonly extra: Json = {},
  ) {
    super(message);
  }
}

const SYNC_TIMEOUT_CAP_MS = 30_000;

export async function startMatrixHomeserver(port: number, serverName = "fake.test"): Promise<MatrixHomeserver> {
  let pos = 0;
  const nextPos = () => ++pos;
  const keys = new FakeKeyStore(nextPos);
  const users = new Map<string, FakeUser>();
  const tokens = new Map<string, { userId: string; deviceId: string }>();
  const rooms = new Map<string, FakeRoom>();
  const filters = new Map<string, Json>();
  const txns = new Map<string, string>();
  const accountData = new Map<string, Json>();
  const calls: MatrixHomeserver["calls"] = [];
  const typing: MatrixHomeserver["typing"] = [];
  const media = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const sendLimits = new Map<string, { burst: number; perSecond: number; tokens: number; at: number }>();
  /** Takes one send from the user's bucket, or throws the homeserver's 429. */
  const takeSend = (userId: string) => {
    const limit = sendLimits.get(userId);
    if (!limit) return;
    const now = Date.now();
    limit.tokens = Math.min(limit.burst, limit.tokens + ((now - limit.at) / 1000) * limit.perSecond);
    limit.at = now;
    if (limit.tokens < 1)
      throw new HttpError(429, "M_LIMIT_EXCEEDED", "Too Many Requests", { retry_after_ms: Math.ceil(((1 - limit.tokens) / limit.perSecond) * 1000) });
    limit.tokens -= 1;
  };
  let waiters: (() => void)[] = [];
  let counter = 0;
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const newId = (sigil: string) => `${sigil}${Date.now().toString(36)}${(++counter).toString(36)}${sigil === "$" ? "" : `:${serverName}`}`;

  const addEvent = (room: FakeRoom, sender: string, type: string, content: Json, stateKey?: string): RoomEvent => {
    const event: RoomEvent = { event_id: newId("$"), room_id: room.roomId, sender, type, content, origin_server_ts: Date.now(), pos: nextPos() };
    if (stateKey !== undefined) {
      event.state_key = stateKey;
      room.state.set(`${type}|${stateKey}`, event);
    }
    room.timeline.push(event);
    wake();
    return event;
  };
  const membership = (room: FakeRoom, userId: string) => (room.state.get(`m.room.member|${userId}`)?.content.membership as string | undefined) ?? "leave";
  const profileOf = (userId: string) => ({ displayname: users.get(userId)?.displayName ?? userId, avatar_url: null });
  const mustBeJoined = (room: FakeRoom | undefined, userId: string): FakeRoom => {
    if (!room) throw new HttpError(404, "M_NOT_FOUND", "Unknown room");
    if (membership(room, userId) !== "join") throw new HttpError(403, "M_FORBIDDEN", `User ${userId} not in room ${room.roomId}`);
    return room;
  };
  const setMember = (room: FakeRoom, sender: string, target: string, value: string, extra: Json = {}) =>
    addEvent(room, sender, "m.room.member", { membership: value, ...(value === "join" ? profileOf(target) : {}), ...extra }, target);

  const hasNews = (userId: string, deviceId: string, since: number): boolean => {
    if (keys.pendingFor(userId, deviceId, since)) return true;
    if (keys.deviceListChanges.some((c) => c.pos > since)) return true;
    for (const room of rooms.values()) {
      const m = membership(room, userId);
      if (room.timeline.some((e) => e.pos > since && (m === "join" || m === "invite" || e.state_key === userId))) return true;
    }
    return false;
  };

  async function sync(auth: { userId: string; deviceId: string }, query: URLSearchParams): Promise<Json> {
    const since = Number((query.get("since") ?? "s0").slice(1)) || 0;
    const timeoutMs = Math.min(Number(query.get("timeout") ?? 0) || 0, SYNC_TIMEOUT_CAP_MS);
    if (since > 0 && timeoutMs > 0 && !hasNews(auth.userId, auth.deviceId, since)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const filterParam = query.get("filter") ?? "";
    const filter = (filterParam.startsWith("{") ? JSON.parse(filterParam) : filters.get(filterParam)) as Json | undefined;
    const limit = Number((((filter?.room as Json | undefined)?.timeline as Json | undefined)?.limit as number | undefined) ?? 20);
    const toDevice = keys.toDeviceFor(auth.userId, auth.deviceId, since);
    const roomSections = syncRooms([...rooms.values()], auth.userId, since, limit);
    const sharing = new Set<string>();
    for (const room of rooms.values())
      if (membership(room, auth.userId) === "join")
        for (const e of room.state.values()) if (e.type === "m.room.member" && e.state_key) sharing.add(e.state_key);
    const changed = new Set(keys.deviceListChanges.filter((c) => c.pos > since && sharing.has(c.userId)).map((c) => c.userId));
    // Someone who joined a room we share since `since`: their devices are news to us too.
    for (const room of rooms.values())
      for (const e of room.timeline)
        if (e.pos > since && e.type === "m.room.member" && e.content.membership === "join" && e.state_key) changed.add(e.state_key);
    return {
      next_batch: `s${pos}`,
      rooms: roomSections,
      to_device: { events: toDevice.events },
      device_lists: { changed: since > 0 ? [...changed] : [], left: [] },
      device_one_time_keys_count: keys.counts(auth.userId, auth.deviceId),
      device_unused_fallback_key_types: keys.unusedFallbackKeyTypes(auth.userId, auth.deviceId),
      "org.matrix.msc2732.device_unused_fallback_key_types": keys.unusedFallbackKeyTypes(auth.userId, auth.deviceId),
      account_data: { events: [] },
      presence: { events: [] },
    };
  }

  async function route(method: string, path: string, query: URLSearchParams, body: Json, token: string | null): Promise<unknown> {
    if (path === "/_matrix/client/versions")
      return { versions: ["r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11", "v1.12"], unstable_features: {} };
    const m = path.match(/^\/_matrix\/client\/(?:v3|r0|v1|unstable)(\/.*)$/);
    if (!m?.[1]) throw new HttpError(404, "M_UNRECOGNIZED", "Unrecognized request");
    const p = m[1];
    if (p.startsWith("/profile/")) {
      const userId = decodeURIComponent(p.split("/")[2] ?? "");
      if (!users.has(userId)) throw new HttpError(404, "M_NOT_FOUND", "Profile was not found");
      return p.endsWith("/displayname") ? { displayname: profileOf(userId).displayname } : profileOf(userId);
    }
    if (!token) throw new HttpError(401, "M_MISSING_TOKEN", "Missing access token");
    const auth = tokens.get(token);
    if (!auth) throw new HttpError(401, "M_UNKNOWN_TOKEN", "Unknown access token");
    const seg = p.split("/").map(decodeURIComponent);
    if (p === "/account/whoami") return { user_id: auth.userId, device_id: auth.deviceId, is_guest: false };
    if (p === "/capabilities")
      return { capabilities: { "m.change_password": { enabled: false }, "m.room_versions": { default: "10", available: { "10": "stable" } } } };
    if (p === "/pushrules/" || p === "/pushrules") return { global: { override: [], content: [], room: [], sender: [], underride: [] } };
    if (p === "/sync") return sync(auth, query);
    if (seg[1] === "user" && seg[3] === "filter") {
      if (seg[2] !== auth.userId) throw new HttpError(403, "M_FORBIDDEN", "Cannot create filters for other users");
      if (method === "POST") {
        const id = String(filters.size + 1);
        filters.set(id, body);
        return { filter_id: id };
      }
      const f = filters.get(seg[4] ?? "");
      if (!f) throw new HttpError(404, "M_NOT_FOUND", "No such filter");
      return f;
    }
    if (seg[1] === "user" && seg[3] === "account_data") {
      const key = `${auth.userId}|${seg[4]}`;
      if (method === "PUT") {
        accountData.set(key, body);
        return {};
      }
      const data = accountData.get(key);
      if (!data) throw new HttpError(404, "M_NOT_FOUND", "Account data not found");
      return data;
    }
    if (p === "/room_keys/version") throw new HttpError(404, "M_NOT_FOUND", "No current backup version");
    if (p === "/keys/upload") {
      const outcome = keys.upload(auth.userId, auth.deviceId, body);
      if ("error" in outcome) throw new HttpError(400, "M_INVALID_PARAM", outcome.error);
      wake();
      return { one_time_key_counts: outcome.counts };
    }
    if (p === "/keys/query") return keys.query(body, auth.userId);
    if (p === "/keys/device_signing/upload") {
      keys.uploadCrossSigning(auth.userId, body);
      wake();
      return {};
    }
    if (p === "/keys/signatures/upload") {
      keys.uploadSignatures(body);
      wake();
      return { failures: {} };
    }
    if (p === "/keys/claim") return keys.claim(body);
    if (seg[1] === "sendToDevice") {
      const txnKey = `${token}|tod|${seg[3]}`;
      if (!txns.has(txnKey)) {
        keys.sendToDevice(auth.userId, seg[2] ?? "", (body.messages ?? {}) as Record<string, Record<string, Json>>);
        txns.set(txnKey, "");
        wake();
      }
      return {};
    }
    if (p === "/createRoom") {
      const room: FakeRoom = { roomId: newId("!"), state: new Map(), timeline: [] };
      rooms.set(room.roomId, room);
      addEvent(room, auth.userId, "m.room.create", { creator: auth.userId, room_version: "10" }, "");
      setMember(room, auth.userId, auth.userId, "join");
      addEvent(room, auth.userId, "m.room.join_rules", { join_rule: body.preset === "public_chat" ? "public" : "invite" }, "");
      addEvent(room, auth.userId, "m.room.history_visibility", { history_visibility: "shared" }, "");
      if (typeof body.name === "string") addEvent(room, auth.userId, "m.room.name", { name: body.name }, "");
      for (const s of (body.initial_state ?? []) as { type: string; state_key?: string; content: Json }[])
        addEvent(room, auth.userId, s.type, s.content, s.state_key ?? "");
      for (const invitee of (body.invite ?? []) as string[]) setMember(room, auth.userId, invitee, "invite", body.is_direct ? { is_direct: true } : {});
      return { room_id: room.roomId };
    }
    if (seg[1] === "join" || (seg[1] === "rooms" && seg[3] === "join")) {
      const room = rooms.get(seg[2] ?? "");
      if (!room) throw new HttpError(404, "M_NOT_FOUND", "No known servers");
      const m = membership(room, auth.userId);
      if (m !== "invite" && m !== "join" && room.state.get("m.room.join_rules|")?.content.join_rule !== "public")
        throw new HttpError(403, "M_FORBIDDEN", "You are not invited to this room.");
      if (m !== "join") setMember(room, auth.userId, auth.userId, "join");
      return { room_id: room.roomId };
    }
    if (seg[1] !== "rooms") throw new HttpError(404, "M_UNRECOGNIZED", "Unrecognized request");
    const room = rooms.get(seg[2] ?? "");
    const action = seg[3];
    if (action === "leave") {
      if (!room) throw new HttpError(404, "M_NOT_FOUND", "Unknown room");
      const m = membership(room, auth.userId);
      if (m === "join" || m === "invite") setMember(room, auth.userId, auth.userId, "leave");
      return {};
    }
    const joined = mustBeJoined(room, auth.userId);
    if (action === "invite") {
      setMember(joined, auth.userId, String(body.user_id), "invite");
      return {};
    }
    if (action === "send") {
      const txnKey = `${token}|${joined.roomId}|${seg[5]}`;
      const earlier = txns.get(txnKey);
      if (earlier) return { event_id: earlier };
      takeSend(auth.userId);
      const event = addEvent(joined, auth.userId, seg[4] ?? "", body);
      txns.set(txnKey, event.event_id);
      return { event_id: event.event_id };
    }
    if (action === "redact" && method === "PUT") {
      // Room version 10: `redacts` at the top of the event; the original's content is stripped.
      const txnKey = `${token}|${joined.roomId}|redact|${seg[5]}`;
      const earlier = txns.get(txnKey);
      if (earlier) return { event_id: earlier };
      const target = joined.timeline.find((e) => e.event_id === seg[4]);
      if (!target) throw new HttpError(404, "M_NOT_FOUND", "Event not found");
      target.content = {};
      const redaction = addEvent(joined, auth.userId, "m.room.redaction", { ...body, redacts: target.event_id });
      redaction.redacts = target.event_id;
      txns.set(txnKey, redaction.event_id);
      return { event_id: redaction.event_id };
    }
    if (action === "state" && method === "PUT") return { event_id: addEvent(joined, auth.userId, seg[4] ?? "", body, seg[5] ?? "").event_id };
    if (action === "state" && seg[4]) {
      const event = joined.state.get(`${seg[4]}|${seg[5] ?? ""}`);
      if (!event) throw new HttpError(404, "M_NOT_FOUND", "Event not found.");
      return event.content;
    }
    if (action === "state") return [...joined.state.values()].map(clientEvent);
    if (action === "members") return { chunk: [...joined.state.values()].filter((e) => e.type === "m.room.member").map(clientEvent) };
    if (action === "joined_members") {
      const joinedUsers: Json = {};
      for (const e of joined.state.values())
        if (e.type === "m.room.member" && e.content.membership === "join" && e.state_key)
          joinedUsers[e.state_key] = { display_name: profileOf(e.state_key).displayname };
      return { joined: joinedUsers };
    }
    if (action === "typing" && method === "PUT") {
      // As Synapse's typing servlet: only one's own state, `typing` required, `timeout` defaulting to 30 s and capped at 2 minutes.
      if (seg[4] !== auth.userId) throw new HttpError(403, "M_FORBIDDEN", "Cannot set another user's typing state");
      if (typeof body.typing !== "boolean") throw new HttpError(400, "M_MISSING_PARAM", "Missing params: ['typing']");
      if (body.typing && body.timeout !== undefined && typeof body.timeout !== "number") throw new HttpError(400, "M_BAD_JSON", "timeout must be an integer");
      const timeout = body.typing ? Math.min(typeof body.timeout === "number" ? body.timeout : 30_000, 120_000) : undefined;
      typing.push({ roomId: joined.roomId, userId: auth.userId, typing: body.typing, ...(timeout !== undefined ? { timeout } : {}) });
      return {};
    }
    if (action === "receipt" || action === "read_markers") return {};
    throw new HttpError(404, "M_UNRECOGNIZED", "Unrecognized request");
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const header = req.headers.authorization;
      const token = header?.startsWith("Bearer ") ? header.slice(7) : url.searchParams.get("access_token");
      const download = url.pathname.match(/^\/_matrix\/client\/v1\/media\/download\/([^/]+)\/([^/]+)$/);
      if (download && req.method === "GET") {
        // Authenticated media (Matrix 1.11): a token of this server's users, or 401 like any endpoint.
        const file = media.get(`${decodeURIComponent(download[1]!)}/${decodeURIComponent(download[2]!)}`);
        const [status, body] = !token
          ? [401, { errcode: "M_MISSING_TOKEN", error: "Missing access token" }]
          : !tokens.has(token)
            ? [401, { errcode: "M_UNKNOWN_TOKEN", error: "Unknown access token", soft_logout: false }]
            : !file
              ? [404, { errcode: "M_NOT_FOUND", error: "Media not found" }]
              : [200, null];
        calls.push({ method: "GET", path: url.pathname, status });
        if (body || !file) res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        else res.writeHead(200, { "content-type": file.contentType, "content-length": String(file.bytes.byteLength) }).end(file.bytes);
        return;
      }
      let status = 200;
      let payload: unknown;
      try {
        const body = raw ? (JSON.parse(raw) as Json) : {};
        payload = await route(req.method ?? "GET", url.pathname, url.searchParams, body, token);
      } catch (err) {
        const e = err instanceof HttpError ? err : new HttpError(400, "M_NOT_JSON", err instanceof Error ? err.message : String(err));
        status = e.status;
        payload = { errcode: e.errcode, error: e.message, ...e.extra, ...(e.errcode === "M_UNKNOWN_TOKEN" ? { soft_logout: false } : {}) };
      }
      calls.push({ method: req.method ?? "GET", path: url.pathname, status });
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    serverName,
    rooms,
    calls,
    typing,
    addUser(localpart, displayName, deviceId, token) {
      const userId = `@${localpart}:${serverName}`;
      users.set(userId, { userId, displayName });
      tokens.set(token, { userId, deviceId });
      return userId;
    },
    events: (roomId) => rooms.get(roomId)?.timeline ?? [],
    addMedia(bytes, contentType) {
      const mediaId = `m${Date.now().toString(36)}${(++counter).toString(36)}`;
      media.set(`${serverName}/${mediaId}`, { bytes, contentType });
      return `mxc://${serverName}/${mediaId}`;
    },
    limitSends(userId, limit) {
      if (limit) sendLimits.set(userId, { ...limit, tokens: limit.burst, at: Date.now() });
      else sendLimits.delete(userId);
    },
    close: () =>
      new Promise<void>((r) => {
        wake();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function clientEvent(e: RoomEvent): Json {
  const { pos: _pos, ...rest } = e;
  return rest;
}

export { strippedState };
