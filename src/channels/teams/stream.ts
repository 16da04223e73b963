/**
 * Streamed replies on Teams (stage 7 → 8, docs/streaming.md) with Microsoft's bot streaming
 * protocol ("Stream bot messages", learn.microsoft.com/microsoftteams/platform/bots/streaming-ux).
 * The partial reply is a `typing` activity with a `streaminfo` entity (streamType `streaming`,
 * streamSequence 1); the Connector answers 201 with the stream's id. Each later part is a typing
 * activity naming that streamId with a higher streamSequence and the whole text so far (Teams
 * refuses text that does not contain the previous part). The finished reply is a `message`
 * activity whose entity says streamType `final` without a sequence: it is the message that stays.
 * Teams streams in personal chats only, one stream at a time per chat, at most one request a
 * second; group chats and channels get the finished reply as before.
 */
import { postActivity, type TeamsCredentials, teamsSendResult } from "./api";
import { replyActivity } from "./format";
import type { ChannelContext, OutboundMessage, ReplyTarget, SendResult, StreamingReplies } from "../shared/types";

/**
 * "The throttling limit is 1 request per second", and Microsoft suggests buffering the model's
 * tokens for 1.5 to 2 seconds: one change per 1.5 s, counted from the previous answer.
 */
export const TEAMS_STREAM_INTERVAL_MS = 1500;

type TeamsBot = { appId: string; appPassword: string; tenantId?: string; loginBase?: string };

/** What the live reply keeps as the message's id: when the stream began, and Teams' streamId. */
type StreamRef = { streamId: string; startedAt: number };

export function encodeStreamRef(ref: StreamRef): string {
  return `${ref.startedAt}~${ref.streamId}`;
}

export function decodeStreamRef(value: string): StreamRef | null {
  const match = /^(\d+)~(.+)$/s.exec(value);
  return match ? { startedAt: Number(match[1]), streamId: match[2]! } : null;
}

/** The last streamSequence Teams accepted per stream, in this isolate (lost with it; see nextSequence). */
const sequences = new Map<string, { sequence: number; startedAt: number }>();
/** Teams ends a stream that is not finished within two minutes ("exceeded streaming time"). */
const TEAMS_STREAM_LIMIT_MS = 120_000;
/** Sequence counts older than this are dropped. */
const FORGET_AFTER_MS = 5 * 60_000;

/**
 * The stream each chat has open in this isolate: "Teams supports only one concurrent streaming
 * response per chat". A message that arrived while an earlier answer was being written is
 * answered before that answer's final message goes out (the sender's turns run in order, then
 * the deliveries): its reply is not streamed, and arrives whole after the first.
 */
const openStreams = new Map<string, StreamRef>();

function openElsewhere(chat: string, now: number): boolean {
  const open = openStreams.get(chat);
  if (open && now - open.startedAt > TEAMS_STREAM_LIMIT_MS) openStreams.delete(chat);
  return openStreams.has(chat);
}

function remember(key: string, ref: StreamRef, sequence: number, now: number): void {
  sequences.set(key, { sequence, startedAt: ref.startedAt });
  if (sequences.size > 500) for (const [k, v] of sequences) if (now - v.startedAt > FORGET_AFTER_MS) sequences.delete(k);
}

/**
 * 1, 2, 3 ... as Teams asks ("a monotonic increasing integer"). A gateway that restarted mid-stream
 * has lost the count: then it goes on from one number per second since the stream began, which is
 * more than were ever sent (changes are at least a second apart), so the sequence still only rises.
 */
export function nextSequence(key: string, ref: StreamRef, now: number): number {
  const known = sequences.get(key);
  return known ? known.sequence + 1 : 2 + Math.floor(Math.max(0, now - ref.startedAt) / 1000);
}

const credentials = (ctx: ChannelContext<TeamsBot>): TeamsCredentials => ({
  appId: ctx.config.appId,
  appPassword: ctx.config.appPassword,
  tenantId: ctx.config.tenantId,
  loginBase: ctx.config.loginBase,
  fetch: ctx.fetch,
  now: ctx.now,
});

type Where = { serviceUrl: string; conversationId: string; replyToId?: string };

function conversationOf(message: ReplyTarget): Where | null {
  const serviceUrl = message.replyContext?.serviceUrl;
  return serviceUrl && message.conversationId ? { serviceUrl, conversationId: message.conversationId, replyToId: message.replyContext?.activityId } : null;
}

/**
 * Every request of the stream goes as a reply to the person's message, as Microsoft's Teams AI
 * library sends it (its activities carry the turn's replyToId, so the Connector's Reply to
 * Activity path is used), and as the finished reply would go without streaming.
 */
function post(creds: TeamsCredentials, where: Where, activity: Record<string, unknown>): Promise<Response> {
  const body = where.replyToId ? { ...activity, replyToId: where.replyToId } : activity;
  return postActivity(creds, where.serviceUrl, where.conversationId, body, where.replyToId);
}

/** What Teams says about a streaming request, read once: the SendResult, the id it gave, its error. */
async function streamAnswer(
  creds: TeamsCredentials,
  send: () => Promise<Response>,
): Promise<{ result: SendResult; id?: string; error?: { code?: string; message?: string } }> {
  let res: Response;
  try {
    res = await send();
  } catch (err) {
    return { result: await teamsSendResult(err, creds) };
  }
  const raw = await res.text().catch(() => "");
  let json: { id?: unknown; error?: { code?: string; message?: string } } = {};
  try {
    json = (JSON.parse(raw) as typeof json | null) ?? {};
  } catch {
    // not JSON: judged by the status alone
  }
  const id = typeof json.id === "string" && json.id ? json.id : undefined;
  return { result: await teamsSendResult(new Response(raw, { status: res.status, headers: res.headers }), creds), id, error: json.error };
}

/** "Content stream is not allowed on an already completed streamed message": this reply's final went through. */
/** The stream is over (finished, or refused for good): the chat may stream the next reply. */
function close(where: Where, ref: StreamRef): void {
  const chat = `${where.serviceUrl}|${where.conversationId}`;
  sequences.delete(`${chat}|${ref.streamId}`);
  if (openStreams.get(chat)?.streamId === ref.streamId) openStreams.delete(chat);
}

const alreadyCompleted = (error?: { code?: string; message?: string }) =>
  error?.code === "ContentStreamNotAllowed" && /already completed/i.test(error.message ?? "");

export function teamsStreaming<C extends TeamsBot>(): StreamingReplies<C> {
  return {
    supports: (target) => target.replyContext?.conversationType === "personal",
    minEditIntervalMs: () => TEAMS_STREAM_INTERVAL_MS,
    appendOnly: true,

    async start(message: OutboundMessage, ctx: ChannelContext<C>) {
      const where = conversationOf(message);
      if (!where) return { ok: false, retryable: false, error: "no Teams conversation to stream to" };
      const chat = `${where.serviceUrl}|${where.conversationId}`;
      if (openElsewhere(chat, Date.now())) return { ok: false, retryable: false, error: "an earlier reply is still streaming in this chat" };
      const creds = credentials(ctx);
      const startedAt = Date.now();
      const activity = { type: "typing", text: message.text, entities: [{ type: "streaminfo", streamType: "streaming", streamSequence: 1 }] };
      const answer = await streamAnswer(creds, () => post(creds, where, activity));
      if (!answer.result.ok) return answer.result;
      if (!answer.id) return { ok: false, retryable: false, error: "Teams started no stream (no id in its answer)" };
      const ref = { streamId: answer.id, startedAt };
      openStreams.set(chat, ref);
      remember(`${where.serviceUrl}|${where.conversationId}|${answer.id}`, ref, 1, Date.now());
      return { ok: true, platformMessageId: encodeStreamRef(ref) };
    },

    async edit(message: OutboundMessage, platformMessageId: string, ctx: ChannelContext<C>) {
      const where = conversationOf(message);
      const ref = decodeStreamRef(platformMessageId);
      if (!where || !ref) return { ok: false, retryable: false, error: `not a Teams stream: ${platformMessageId}` };
      const creds = credentials(ctx);
      const chat = `${where.serviceUrl}|${where.conversationId}`;
      const key = `${chat}|${ref.streamId}`;
      const streamSequence = nextSequence(key, ref, Date.now());
      const activity = {
        type: "typing",
        text: message.text,
        entities: [{ type: "streaminfo", streamId: ref.streamId, streamType: "streaming", streamSequence }],
      };
      // 202 answers every accepted part; one Teams dropped as out of order (also a 202) is covered by the final message.
      const { result } = await streamAnswer(creds, () => post(creds, where, activity));
      if (!result.ok && !result.retryable) close(where, ref);
      if (!result.ok) return result;
      remember(key, ref, streamSequence, Date.now());
      // After a restart the turn continues its stream without starting it: the chat has it open again.
      if (!openStreams.has(chat)) openStreams.set(chat, ref);
      return { ok: true, platformMessageId };
    },

    async finish(message: OutboundMessage, platformMessageId: string, ctx: ChannelContext<C>) {
      const where = conversationOf(message);
      const ref = decodeStreamRef(platformMessageId);
      if (!where || !ref) return { ok: false, retryable: false, error: `not a Teams stream: ${platformMessageId}` };
      const creds = credentials(ctx);
      // The finished reply as a reply is sent (Markdown, or an Adaptive Card for tables: attachments are allowed in the final message).
      const activity = { ...replyActivity(message.text), entities: [{ type: "streaminfo", streamId: ref.streamId, streamType: "final" }] };
      const answer = await streamAnswer(creds, () => post(creds, where, activity));
      if (answer.result.ok || alreadyCompleted(answer.error)) {
        close(where, ref);
        return { ok: true, platformMessageId: ref.streamId };
      }
      // A stream Teams will not continue is over too: the delivery posts the reply instead.
      if (!answer.result.retryable) close(where, ref);
      return answer.result;
    },
  };
}
