/**
 * The Connector's side of Teams' bot streaming protocol, for the fake Bot Framework
 * (fake-bot-framework.ts), as "Stream bot messages" documents it
 * (learn.microsoft.com/microsoftteams/platform/bots/streaming-ux): a `typing` activity with a
 * `streaminfo` entity starts a stream (streamSequence 1, text required; 201 with the streamId) or
 * continues it (the same streamId, a higher sequence, text containing the previous text; 202 {});
 * a `message` with streamType `final` and no sequence ends it (202 {}), and that message is the one
 * the chat keeps. Refused, with the documented codes: streams outside personal chats, continuing a
 * completed, stopped or two-minute-old stream, or a second stream while one is open in the chat
 * (403 ContentStreamNotAllowed; Microsoft does not document the answer to the last), text that does not grow
 * (403), a malformed entity (400 BadRequest), more than one request a second on a stream (429 with
 * Retry-After); a sequence that does not rise is dropped with 202
 * ContentStreamSequenceOrderPreConditionFailed. Every refusal is kept in `refusals`.
 */

export interface StreamEntity {
  type: string;
  streamId?: string;
  streamType?: string;
  streamSequence?: unknown;
}

export interface StreamActivity {
  type: string;
  text?: string;
  attachments?: unknown[];
  entities?: StreamEntity[];
}

export interface FakeStream {
  id: string;
  conversationId: string;
  startedAt: number;
  /** When the last accepted request on it arrived (the one-a-second limit). */
  lastAt: number;
  sequence: number;
  /** The streamed text so far (informative updates do not count). */
  text: string;
  state: "open" | "final" | "stopped";
  /** Every accepted request, in order: the start, the parts and the final message. */
  parts: { streamType: string; sequence?: number; text?: string; at: number }[];
}

export interface StreamRefusal {
  streamId?: string;
  status: number;
  code: string;
  message: string;
}

export interface FakeStreamsOptions {
  /** Teams ends a stream not finished within two minutes. */
  timeLimitMs?: number;
  /** The documented throttle: one request a second per stream. */
  minIntervalMs?: number;
  /** The conversation's type as Teams knows it ("personal", "groupChat", "channel"), if known. */
  conversationType: (conversationId: string) => string | undefined;
  /** The final message becomes a message of the chat. */
  keep: (streamId: string, conversationId: string, replyToId: string | undefined, activity: StreamActivity) => void;
}

export function streamInfoOf(activity: StreamActivity): StreamEntity | undefined {
  return activity.entities?.find((e) => e.type?.toLowerCase() === "streaminfo");
}

export function createFakeStreams(options: FakeStreamsOptions) {
  const timeLimitMs = options.timeLimitMs ?? 120_000;
  const minIntervalMs = options.minIntervalMs ?? 1000;
  const streams: FakeStream[] = [];
  const refusals: StreamRefusal[] = [];

  function refuse(status: number, code: string, message: string, streamId?: string, headers: Record<string, string> = {}): Response {
    refusals.push({ streamId, status, code, message });
    return Response.json({ error: { code, message } }, { status, headers });
  }

  /** Why a request on an existing stream is refused before its content is looked at, if it is. */
  function closed(stream: FakeStream, now: number): Response | null {
    if (stream.state === "final")
      return refuse(403, "ContentStreamNotAllowed", "Content stream is not allowed on an already completed streamed message", stream.id);
    if (stream.state === "stopped") return refuse(403, "ContentStreamNotAllowed", "Content stream was cancelled by user.", stream.id);
    if (now - stream.startedAt > timeLimitMs)
      return refuse(403, "ContentStreamNotAllowed", "Content stream finished due to exceeded streaming time.", stream.id);
    if (now - stream.lastAt < minIntervalMs) return refuse(429, "TooManyRequests", "API calls quota exceeded", stream.id, { "retry-after": "1" });
    return null;
  }

  /** A streaming request (an activity with a streaminfo entity) to `conversationId`, posted as a reply to `replyToId` or not. */
  function handle(conversationId: string, replyToId: string | undefined, activity: StreamActivity, info: StreamEntity): Response {
    const now = Date.now();
    const kind = options.conversationType(conversationId);
    if (kind !== undefined && kind !== "personal") return refuse(403, "ContentStreamNotAllowed", "Content stream is not allowed", info.streamId);
    if (activity.type === "message") return final(conversationId, replyToId, activity, info, now);
    if (activity.type !== "typing") return refuse(400, "BadRequest", "Streaming activities are typing activities, or the final message", info.streamId);
    const streamType = info.streamType ?? "streaming";
    if (streamType !== "streaming" && streamType !== "informative")
      return refuse(400, "BadRequest", `streamType ${streamType} is only allowed on the final message`, info.streamId);
    const sequence = info.streamSequence;
    if (typeof sequence !== "number" || !Number.isInteger(sequence) || sequence < 1)
      return refuse(400, "BadRequest", "streamSequence must be a positive integer", info.streamId);
    if (!activity.text) return refuse(400, "BadRequest", "Start streaming activities should include text", info.streamId);
    if (info.streamId === undefined) {
      if (sequence !== 1) return refuse(400, "BadRequest", "The first streaming request must have streamSequence 1", undefined);
      // "Teams supports only one concurrent streaming response per chat at a time" (the answer is not documented).
      if (streams.some((s) => s.conversationId === conversationId && s.state === "open" && now - s.startedAt <= timeLimitMs))
        return refuse(403, "ContentStreamNotAllowed", "Content stream is not allowed", undefined);
      const stream: FakeStream = {
        id: `${now}${Math.floor(Math.random() * 1000)}`,
        conversationId,
        startedAt: now,
        lastAt: now,
        sequence,
        text: streamType === "streaming" ? activity.text : "",
        state: "open",
        parts: [{ streamType, sequence, text: activity.text, at: now }],
      };
      streams.push(stream);
      return Response.json({ id: stream.id }, { status: 201 });
    }
    const stream = streams.find((s) => s.id === info.streamId && s.conversationId === conversationId);
    if (!stream) return refuse(400, "BadRequest", "Unknown streamId", info.streamId);
    const shut = closed(stream, now);
    if (shut) return shut;
    if (sequence <= stream.sequence) {
      refusals.push({ streamId: stream.id, status: 202, code: "ContentStreamSequenceOrderPreConditionFailed", message: "out of order" });
      return Response.json(
        { error: { code: "ContentStreamSequenceOrderPreConditionFailed", message: "PreCondition failed exception when processing streaming activity." } },
        { status: 202 },
      );
    }
    if (streamType === "streaming" && !activity.text.startsWith(stream.text))
      return refuse(403, "ContentStreamNotAllowed", "Request streamed content should contain the previously streamed content", stream.id);
    stream.sequence = sequence;
    stream.lastAt = now;
    if (streamType === "streaming") stream.text = activity.text;
    stream.parts.push({ streamType, sequence, text: activity.text, at: now });
    return Response.json({}, { status: 202 });
  }

  function final(conversationId: string, replyToId: string | undefined, activity: StreamActivity, info: StreamEntity, now: number): Response {
    if (info.streamType !== "final") return refuse(400, "BadRequest", "A message ending a stream must have streamType final", info.streamId);
    if (info.streamSequence !== undefined) return refuse(400, "BadRequest", "streamSequence must not be set on the final message", info.streamId);
    if (!info.streamId) return refuse(400, "BadRequest", "The final message must name its streamId", undefined);
    const stream = streams.find((s) => s.id === info.streamId && s.conversationId === conversationId);
    if (!stream) return refuse(400, "BadRequest", "Unknown streamId", info.streamId);
    const shut = closed(stream, now);
    if (shut) return shut;
    if (!activity.text && !activity.attachments?.length) return refuse(400, "BadRequest", "The final message needs text or attachments", stream.id);
    stream.state = "final";
    stream.lastAt = now;
    stream.parts.push({ streamType: "final", text: activity.text, at: now });
    options.keep(stream.id, conversationId, replyToId, activity);
    return Response.json({}, { status: 202 });
  }

  return {
    handle,
    streams,
    refusals,
    /** The person presses Stop: later requests on the stream are refused. */
    stop(streamId: string) {
      const stream = streams.find((s) => s.id === streamId);
      if (stream) stream.state = "stopped";
    },
  };
}

export type FakeStreams = ReturnType<typeof createFakeStreams>;
