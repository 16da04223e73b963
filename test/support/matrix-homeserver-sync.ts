/**
 * The rooms part of the fake Matrix homeserver's /sync (test/support/matrix-homeserver.ts):
 * joined rooms with their new timeline events (and full state for a first sync or a new join),
 * invites with stripped state, rooms left. Positions in one stream order everything, so a
 * `since` token is a position and a sync returns exactly what came after it.
 * https://spec.matrix.org/v1.12/client-server-api/#get_matrixclientv3sync
 */

type Json = Record<string, unknown>;

export interface RoomEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  content: Json;
  origin_server_ts: number;
  state_key?: string;
  /** On an `m.room.redaction` (room versions up to 10): the event it deletes. */
  redacts?: string;
  /** Stream position (not sent to clients). */
  pos: number;
}

export interface FakeRoom {
  roomId: string;
  /** "type|state_key" → current state event. */
  state: Map<string, RoomEvent>;
  timeline: RoomEvent[];
}

const wire = (e: RoomEvent): Json => {
  const { pos: _pos, room_id: _room, ...rest } = e;
  return { ...rest, unsigned: {} };
};

/** What an invitee sees of a room before joining. */
export function strippedState(room: FakeRoom, userId: string): Json[] {
  const wanted = ["m.room.create", "m.room.name", "m.room.join_rules", "m.room.encryption"];
  const events = [...room.state.values()].filter((e) => wanted.includes(e.type) || (e.type === "m.room.member" && e.state_key === userId));
  const invite = room.state.get(`m.room.member|${userId}`);
  const inviter = invite ? room.state.get(`m.room.member|${invite.sender}`) : undefined;
  if (inviter) events.push(inviter);
  return events.map((e) => ({ type: e.type, state_key: e.state_key, sender: e.sender, content: e.content }));
}

export function syncRooms(rooms: FakeRoom[], userId: string, since: number, limit: number): Json {
  const join: Json = {};
  const invite: Json = {};
  const leave: Json = {};
  for (const room of rooms) {
    const own = room.state.get(`m.room.member|${userId}`);
    const membership = own?.content.membership;
    if (membership === "invite" && own && own.pos > since) {
      invite[room.roomId] = { invite_state: { events: strippedState(room, userId) } };
    } else if (membership === "join" && own) {
      const fresh = since === 0 || own.pos > since;
      const newEvents = room.timeline.filter((e) => e.pos > since);
      if (!fresh && newEvents.length === 0) continue;
      const timeline = newEvents.slice(-limit);
      const limited = newEvents.length > timeline.length;
      const inTimeline = new Set(timeline.map((e) => e.event_id));
      // The state before the timeline: all of it for a first look at the room, else what a gap skipped.
      const state = fresh || limited ? [...room.state.values()].filter((e) => !inTimeline.has(e.event_id)) : [];
      join[room.roomId] = {
        timeline: { events: timeline.map(wire), limited, prev_batch: `p${timeline[0]?.pos ?? 0}` },
        state: { events: state.map(wire) },
        ephemeral: { events: [] },
        account_data: { events: [] },
        unread_notifications: { highlight_count: 0, notification_count: 0 },
        summary: {},
      };
    } else if (membership === "leave" && own && own.pos > since && since > 0) {
      leave[room.roomId] = { timeline: { events: [wire(own)], limited: false }, state: { events: [] } };
    }
  }
  return { join, invite, leave };
}
