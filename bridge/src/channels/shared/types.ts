/**
 * A channel as the bridge runs it: a long-lived platform connection that turns platform
 * events into inbound messages and delivers replies. One file per platform in this folder,
 * one line in registry.ts. Configs are validated with the Worker's own schemas.
 */
import type { BridgeChannelConfig, BridgeChannelState, BridgeInboundMessage, BridgeReply } from "../../../../src/protocol/bridge";
import type { Logger } from "../../../../src/lib/log";
import type { InboundFile } from "../../inbound-outbox";

/** What a running channel may do to the rest of the bridge. */
export interface ChannelHost {
  /**
   * A platform message: persisted to the outbox, then sent to the gateway. `files` are the bytes
   * of attachments the gateway cannot fetch itself (`index` into `message.attachments`), uploaded
   * before the message is sent (media-upload.ts); check them with `wantedBytes` (media.ts) first.
   */
  receive(message: BridgeInboundMessage, files?: InboundFile[]): void;
  /** Reports the connection state (shown as the channel's status in the admin API). */
  state(state: BridgeChannelState, reason?: string, detail?: string): void;
  log: Logger;
  /** This channel's own folder, for platform login state that must survive restarts. */
  dataDir: string;
}

export type DeliveryOutcome =
  | { ok: true }
  /** `retryable`: the platform is not reachable right now (kept and retried); otherwise reported as failed. */
  /** `retryAfterMs`: the platform said how long to wait (a rate limit). */
  | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

/** A partial reply posted for streaming: the platform's id of the message, which later edits change. */
export type PostOutcome = { ok: true; messageId: string } | Extract<DeliveryOutcome, { ok: false }>;

/**
 * A platform whose messages can be edited, so a reply grows in one message while the model
 * writes (docs/streaming.md, bridge/src/live-replies.ts). The reply frames carry the target.
 */
export interface EditableMessages {
  /** Least time between two changes of one message where `reply` goes, from the platform's limits. */
  minEditIntervalMs(reply: BridgeReply): number;
  /** Posts the reply so far where the reply goes; idempotent per `reply.id` where the platform allows it. */
  post(reply: BridgeReply): Promise<PostOutcome>;
  /** Replaces the message's text; an edit the platform will never take (the message was deleted) fails not retryable. */
  edit(reply: BridgeReply, messageId: string): Promise<DeliveryOutcome>;
}

/** A reply's file as fetched from the gateway (bridge/src/reply-files.ts); its type was sniffed there. */
export interface ReplyFileBytes {
  name: string;
  mediaType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export interface RunningChannel {
  /** Delivers one reply; resolves once the platform has accepted it. */
  send(reply: BridgeReply): Promise<DeliveryOutcome>;
  /**
   * Uploads a file the agent sent (docs/media.md) with the platform's API, where the reply goes.
   * Without it, or when the platform refuses the file for good, the reply's text (a line naming
   * the file) is sent instead.
   */
  sendFile?(reply: BridgeReply, file: ReplyFileBytes): Promise<DeliveryOutcome>;
  /** Streamed replies: the reply so far is posted and edited; without it the finished reply is sent as usual. */
  streaming?: EditableMessages;
  stop(): Promise<void>;
}

export interface BridgeChannelType {
  type: string;
  /** Validates the pushed config and starts the connection; a bad config throws with a readable message. */
  start(channel: BridgeChannelConfig, host: ChannelHost): RunningChannel;
}
