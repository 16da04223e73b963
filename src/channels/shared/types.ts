/**
 * The channel adapter contract: one file per platform in src/channels/, one line in
 * registry.ts. An adapter verifies and normalises inbound requests (pipeline stage 1)
 * and delivers replies (stage 8). It never throws for bad input: it returns a rejection.
 * See docs/channels.md.
 */
import type * as z from "zod";
import type { BridgeProgress, BridgeReply } from "../../protocol/bridge";

/** A message as every later stage sees it, whatever the platform. */
export interface InboundMessage {
  /** Platform sender id (Telegram user id, e-mail address, ...). */
  senderId: string;
  /** Display name when the platform gives one. */
  senderName?: string;
  /** Where a reply goes: a chat, thread or channel id; defaults to the sender. */
  conversationId?: string;
  /** The platform's id for this message or event; retries repeat it, so it drives dedupe. */
  platformMessageId: string;
  text: string;
  attachments?: Attachment[];
  /** When the gateway received it (ms); set by the gateway, not the platform. */
  receivedAt: number;
  /** Platform-specific routing the adapter needs to reply (e.g. a Discord interaction token). */
  replyContext?: Record<string, string>;
  /**
   * Set by platforms whose bots cannot write to a person by their id alone (Teams): where a
   * message to this person alone can go later, from a one-to-one chat they wrote in. The
   * sender's object keeps the latest; an approval prompt for the channel's admin uses it.
   */
  directRoute?: DirectRoute;
}

/** A one-to-one conversation with a person, as the adapter's `send` needs it (conversation id and reply context). */
export interface DirectRoute {
  conversationId: string;
  replyContext?: Record<string, string>;
}

export interface Attachment {
  /** MIME type, e.g. image/jpeg. */
  type: string;
  /** A URL the agent runtime may fetch, or a data: URL. */
  url?: string;
  /** File name or caption when known. */
  name?: string;
  /** Size in bytes as the platform declared it, checked against the limits before any download. */
  size?: number;
  /** A voice note (recorded in the app, to be transcribed) rather than an audio file. */
  voice?: boolean;
  /** Length in seconds of a voice note or audio file, when the platform says. */
  durationSeconds?: number;
}

/** A reply on its way out. */
export interface OutboundMessage {
  /** The platform sender id the reply is for. */
  recipient: string;
  conversationId?: string;
  /** Platform message id being answered, for threading. */
  inReplyTo?: string;
  text: string;
  /** Stable id of the turn; platforms that support idempotency keys get it. */
  deliveryId: string;
  replyContext?: Record<string, string>;
  /** Set on an approval prompt: adapters with `approvalButtons` add Approve/Deny buttons carrying this id. */
  approval?: { id: string };
}

/** A press of an approval prompt's Approve or Deny button, as the adapter verified it. */
export interface ApprovalPress {
  /** The approval's id, from the button. */
  approvalId: string;
  approve: boolean;
  /** Who pressed, as a platform sender id of this channel. */
  deciderId: string;
  deciderName?: string;
}

/** What became of a press (or a dashboard decision); the adapter tells the presser. */
export type ApprovalOutcome =
  /** This press decided it. */
  | { kind: "decided"; decision: "approved" | "denied" }
  /** Decided before (a second press, the dashboard, or the timeout): nothing changes. */
  | { kind: "already"; decision: "approved" | "denied" | "expired" }
  /** The presser may not decide this one; recorded, nothing changes. */
  | { kind: "refused" }
  /** No such approval (a forged or very old button). */
  | { kind: "unknown" };
/** A file the agent made, on its way out (one outbox row); its type was sniffed from the bytes. */
export interface OutboundFile {
  /** A plain file name (no folders), e.g. `chart.png`. */
  name: string;
  /** Sniffed from the content (src/lib/sniff-media-type.ts), never taken from the name. */
  mediaType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Where the file goes (like a reply chunk) and the file; `text` is an optional caption. */
export interface OutboundFileMessage extends OutboundMessage {
  file: OutboundFile;
}

export type VerifyResult =
  /** Verified: these messages enter the pipeline; `ack` overrides the default 200 `{ok:true}`. */
  | { kind: "messages"; messages: Omit<InboundMessage, "receivedAt">[]; ack?: () => Response }
  /**
   * A handshake or event with nothing to process (challenge, ping, a bot's own message).
   * `channelError`: the platform says the channel no longer works (e.g. a revoked
   * subscription); the channel is marked `error` with this as its lastError.
   */
  | { kind: "response"; response: Response; channelError?: string }
  /**
   * A verified press of an approval button: the gateway decides it, then `respond` tells the
   * presser (a callback answer, the prompt edited to show the decision) and gives the webhook's answer.
   */
  | { kind: "approval"; press: ApprovalPress; respond: (outcome: ApprovalOutcome) => Promise<Response> }
  /** Rejected: nothing is stored. */
  | { kind: "rejected"; status: 400 | 401 | 403 | 413 | 415; error: string };

/** An attachment's bytes, fetched server-side for the agent (see ChannelAdapter.fetchAttachment). */
export type FetchedAttachment =
  | { ok: true; bytes: Uint8Array; mediaType: string }
  /** `too_large`: over the caller's cap, not downloaded; `error` never contains credentials or credentialed URLs. */
  | { ok: false; reason: "too_large" | "unavailable"; error: string /** The file's size when the platform said it (too_large). */; size?: number };

/**
 * Where files that arrive inside the message itself (e-mail attachments) wait for the turn: the
 * media bucket, read by the adapter's `fetchAttachment` (src/channels/email/staged-parts.ts).
 */
export interface StagedFiles {
  get(key: string): Promise<{
    size: number;
    body?: ReadableStream;
    httpMetadata?: { contentType?: string };
    arrayBuffer(): Promise<ArrayBuffer>;
  } | null>;
}

export type SendResult =
  | { ok: true; platformMessageId?: string }
  /** `retryable` for network errors, 429 and 5xx; `retryAfterMs` when the platform said how long. */
  | { ok: false; retryable: boolean; retryAfterMs?: number; error: string };

export interface ChannelContext<C> {
  channelId: string;
  config: C;
  /** The gateway's public base URL, for adapters that register webhooks. */
  publicUrl: string;
  now: number;
  fetch: typeof fetch;
  /** Sends a raw RFC 5322 message (the Worker's send_email binding); absent where the runtime has none. */
  sendEmail?: (envelope: { from: string; to: string }, raw: string) => Promise<void>;
  /** Where replies for bridge channels wait for their bridge; absent outside the Worker's delivery. */
  bridges?: BridgeQueue;
  /**
   * Lets work the answer need not wait for (a typing indicator) finish after the response is
   * sent (the request's `waitUntil`); absent where there is no request, then such work is awaited.
   */
  waitUntil?: (work: Promise<unknown>) => void;
  /** Files staged with the message (e-mail attachments); present when the turn's `fetchAttachment` runs in the Worker. */
  stagedFiles?: StagedFiles;
}

/** The queue of replies for bridge channels (one BridgeHub object per bridge). */
export interface BridgeQueue {
  /**
   * Stores a reply until the bridge acknowledges it; ok as soon as it is stored. With `file`
   * (the reply names it in `reply.file`), the bytes wait in the hub for the bridge to fetch.
   */
  enqueue(bridgeId: string, reply: BridgeReply, file?: OutboundFile): Promise<SendResult>;
  /** Hands a running turn's reply so far to the bridge if it is connected (true), else drops it (false): never queued. */
  progress(bridgeId: string, progress: BridgeProgress): Promise<boolean>;
}

export interface ChannelAdapter<C = unknown> {
  /** The channel type as stored and used in the API, e.g. `webhook`. */
  type: string;
  /** One line for people choosing a channel type. */
  description: string;
  /** Validates the channel's config; secret fields are listed in `secretFields`. */
  configSchema: z.ZodType<C>;
  /** Config keys encrypted at rest and never returned by the API. */
  secretFields: readonly string[];
  /**
   * Config keys that say where the channel talks (an API root, a callback URL, a server, a
   * bridge): changing one on update requires every secret to be sent again, so a secret the API
   * never returns cannot be redirected to another host. Keys named like endpoints (`apiBase`,
   * `*Url`, `host`, `port`, `tls`, `bridgeId`, ...) count even when not listed (config-codec.ts).
   */
  endpointFields?: readonly string[];
  /** True when `send` renders `OutboundMessage.approval` as Approve/Deny buttons and `verify` returns their presses. */
  approvalButtons?: boolean;
  /**
   * True when a person can be written to only through the `directRoute` of a one-to-one chat
   * they started (Teams): without one, an approval prompt for the admin is not sent and the feed
   * says why (`approval.unreachable`).
   */
  directRouteRequired?: boolean;
  /** Longest single message the platform accepts; longer replies are split. */
  maxMessageLength: number;
  /** Fills config defaults at creation (e.g. generates a signing secret). */
  prepareConfig?(config: C): C;
  /** Verifies and normalises an inbound HTTP request to /hooks/:channelId. */
  verify?(request: Request, ctx: ChannelContext<C>): Promise<VerifyResult>;
  /** Delivers one chunk of a reply. */
  send(message: OutboundMessage, ctx: ChannelContext<C>): Promise<SendResult>;
  /**
   * Downloads an attachment this adapter produced (e.g. a `telegram-file:` reference), so the
   * agent can see it; at most `maxBytes`. Adapters whose attachments need no credentials omit it.
   */
  fetchAttachment?(attachment: Attachment, ctx: ChannelContext<C>, maxBytes: number): Promise<FetchedAttachment>;
  /**
   * Setup registers the channel with the platform (its webhook, its commands): until setup has
   * run, the platform sends nothing, so a new channel's status is `setup_pending`, not `ok`.
   */
  setupRegisters?: boolean;
  /**
   * The platform sends nothing until a person has done a step on its side that setup cannot do
   * (a Request URL pasted into the app's settings, a routing rule): a new channel's status is
   * `awaiting_event` until its first verified request arrives; setup only checks credentials.
   */
  awaitsFirstEvent?: boolean;
  /** Served by a bridge, which reports the channel's status; until it does, the status says so. */
  bridged?: boolean;
  /** Platform-side registration (webhook URL, commands), or instructions when there is no API. */
  setup?(ctx: ChannelContext<C>): Promise<{ ok: boolean; steps: string[] }>;
  /**
   * Sends a file the agent produced (docs/media.md, "Files the agent sends") with the platform's
   * upload API, after the reply's text. Without it the person gets a line naming the file instead.
   */
  sendFile?(message: OutboundFileMessage, ctx: ChannelContext<C>): Promise<SendResult>;
  /** Replies that grow in place while the model writes; without it the finished reply is sent as today. */
  streaming?: StreamingReplies<C>;
  /** The same for a channel a bridge serves: the bridge posts and edits the message (RelayedStreaming). */
  relayedStreaming?: RelayedStreaming<C>;
  /** A "typing…" indicator shown while a turn runs, renewed until the reply is ready. */
  typing?: TypingIndicator<C>;
}

/** Where a reply goes, without its text: what a typing indicator or a streamed reply needs. */
export type ReplyTarget = Pick<OutboundMessage, "recipient" | "conversationId" | "inReplyTo" | "replyContext">;

/**
 * Streaming replies (docs/streaming.md): the first part of the answer is posted, later parts edit
 * that message, and the finished reply is the last edit, so the person sees exactly one message.
 */
export interface StreamingReplies<C> {
  /** Whether replies in this conversation can stream (e.g. only answers to Discord interactions); all when absent. */
  supports?(target: ReplyTarget): boolean;
  /** Least time between two changes of one message in this conversation, from the platform's limits. */
  minEditIntervalMs(target: ReplyTarget, config: C): number;
  /** Posts the partial reply; `platformMessageId` (required on success) is the message later edits change. */
  start(message: OutboundMessage, ctx: ChannelContext<C>): Promise<SendResult>;
  /** Replaces the text of the message `start` posted; an edit that changes nothing is a success. */
  edit(message: OutboundMessage, platformMessageId: string, ctx: ChannelContext<C>): Promise<SendResult>;
  /**
   * Platforms that only append to a streamed message (Teams): a change that does not extend the
   * previous one is not sent; the finished reply replaces the whole text.
   */
  appendOnly?: boolean;
  /**
   * Platforms whose stream must be closed by a last message (Teams' `final`): the delivery calls
   * this instead of `edit`, also when the preview already shows the whole reply. Closing a stream
   * that this reply already closed is a success, so a retried delivery never makes a second message.
   */
  finish?(message: OutboundMessage, platformMessageId: string, ctx: ChannelContext<C>): Promise<SendResult>;
}

/**
 * Streaming for a channel a bridge serves (docs/streaming.md): the reply so far is handed to the
 * bridge, which posts the message, edits it at the platform's pace and makes the finished reply
 * (sent through `send` as usual, exactly once) its last edit. Nothing is stored on this side.
 */
export interface RelayedStreaming<C> {
  /** Least time between two changes handed on; the bridge keeps only the newest and paces the platform. */
  minIntervalMs: number;
  /**
   * Hands on the reply so far; `message.deliveryId` is the id of the reply that will finish it.
   * False when the bridge is not connected: the change is dropped, which is no failure.
   */
  relay(message: OutboundMessage, ctx: ChannelContext<C>): Promise<boolean>;
}

/** A typing indicator: shown when the turn starts, shown again every `renewEveryMs` until it ends. */
export interface TypingIndicator<C> {
  /** How long the platform shows it; renewed a little before it lapses. */
  renewEveryMs: number;
  /** Failures are the indicator's own business: it never fails or delays a reply. */
  show(target: ReplyTarget, ctx: ChannelContext<C>): Promise<void>;
}
