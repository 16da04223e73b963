/**
 * The wire protocol between a bridge and its BridgeHub object: JSON frames over one WebSocket
 * the bridge dials out. Both directions are acknowledged by id, so either side can drop the
 * connection at any moment and the other re-sends what was not acknowledged; receivers dedupe.
 * Heartbeats are the bare strings "ping" / "pong" (answered without waking the hub).
 */
import * as z from "zod";
import { containerBridgeFrames, containerHubFrames, type ContainerHubFrame } from "./container";

/** A bridge id as the API mints it (POST /api/bridges). */
export const BRIDGE_ID_PATTERN = /^brg_[a-z0-9]+$/;

export const HEARTBEAT_PING = "ping";
export const HEARTBEAT_PONG = "pong";
/** A bridge is declared down after this many heartbeat intervals without a sign of life. */
export const MISSED_HEARTBEATS_BEFORE_DOWN = 3;
export const MIN_HEARTBEAT_MS = 200;
export const MAX_HEARTBEAT_MS = 60_000;
/** Close code the hub uses when a newer connection of the same bridge replaces this one. */
export const CLOSE_REPLACED = 4000;
/** Close code for a revoked bridge token: the bridge must not reconnect with it. */
export const CLOSE_REVOKED = 4001;
/** Close code for an admin-requested disconnect: the bridge reconnects. */
export const CLOSE_KICKED = 4002;

export const channelStates = ["connecting", "connected", "needs_login", "failed", "stopped"] as const;
export type BridgeChannelState = (typeof channelStates)[number];

const inboundMessage = z.object({
  senderId: z.string().min(1).max(200),
  senderName: z.string().max(200).optional(),
  conversationId: z.string().min(1).max(200).optional(),
  platformMessageId: z.string().min(1).max(300),
  text: z.string().max(100_000),
  /**
   * What was attached (e.g. a WhatsApp photo); described, not carried: the bytes stay on the
   * platform. `url` is a reference the channel's Worker adapter resolves with its own credentials
   * (`telegram-file:<file_id>`), never a URL carrying a token; `size` is what the platform declared.
   */
  attachments: z
    .array(
      z.object({
        type: z.string().min(1).max(100),
        name: z.string().max(200).optional(),
        url: z.string().max(500).optional(),
        size: z.number().int().nonnegative().optional(),
        voice: z.boolean().optional(),
        durationSeconds: z.number().nonnegative().optional(),
      }),
    )
    .max(10)
    .optional(),
  replyContext: z.record(z.string(), z.string()).optional(),
});
export type BridgeInboundMessage = z.infer<typeof inboundMessage>;

/** Frames a bridge sends. */
export const bridgeFrame = z.discriminatedUnion("t", [
  z.object({ t: z.literal("hello"), version: z.string().max(50), heartbeatMs: z.number().int().min(MIN_HEARTBEAT_MS).max(MAX_HEARTBEAT_MS) }),
  /** A message received on a platform; `id` is the bridge's outbox id, acknowledged by `inbound.ack`. */
  z.object({ t: z.literal("inbound"), id: z.string().min(1).max(100), channelId: z.string().min(1).max(100), message: inboundMessage }),
  /** A reply was handled (sent, or failed for good); the hub forgets it. */
  z.object({ t: z.literal("reply.ack"), id: z.string().min(1).max(200), ok: z.boolean(), error: z.string().max(500).optional() }),
  z.object({
    t: z.literal("state"),
    channelId: z.string().min(1).max(100),
    state: z.enum(channelStates),
    reason: z.string().max(500).optional(),
    detail: z.string().max(4000).optional(),
  }),
  /** Container runs (src/protocol/container.ts). */
  ...containerBridgeFrames,
]);
export type BridgeFrame = z.infer<typeof bridgeFrame>;

/** A channel as pushed to its bridge: config opened (secrets in clear), so only over the authenticated socket. */
export interface BridgeChannelConfig {
  id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
}

/**
 * A file the agent sent (docs/media.md): not carried in the frame (WebSocket messages to the hub
 * are capped at 1 MiB) but fetched by the bridge with its token from `GET /bridge/files/<reply id>`
 * (BRIDGE_FILE_ROUTE) until the reply is acknowledged or the file expires.
 */
export interface BridgeReplyFile {
  /** A plain file name (no folders). */
  name: string;
  /** Sniffed from the bytes by the gateway. */
  mediaType: string;
  size: number;
}

/** Where a bridge fetches a reply's file: `${gateway}${BRIDGE_FILE_ROUTE}${encodeURIComponent(reply.id)}`. */
export const BRIDGE_FILE_ROUTE = "/bridge/files/";

/** Where a reply, or a reply so far, goes on the platform: the fields BridgeReply and BridgeProgress share. */
export interface BridgeReplyTarget {
  channelId: string;
  recipient: string;
  conversationId?: string;
  inReplyTo?: string;
  replyContext?: Record<string, string>;
}

/** A reply to deliver on a platform. `id` is stable across re-sends; the bridge dedupes on it. */
export interface BridgeReply extends BridgeReplyTarget {
  id: string;
  /** With a `file`: the line naming it, sent instead when the file cannot be uploaded (or by a bridge that predates files). */
  text: string;
  file?: BridgeReplyFile;
}

/**
 * The reply so far of a turn that is still running (docs/streaming.md, bridge channels): sent
 * only while the bridge is connected, never queued or stored. `replyId` is the id of the reply
 * (its first chunk) that will finish it: the bridge posts the first partial message, edits it,
 * and makes that reply its last edit.
 */
export interface BridgeProgress extends BridgeReplyTarget {
  replyId: string;
  text: string;
}

/** Frames the hub sends. */
export type HubFrame =
  | { t: "welcome"; bridgeId: string; name: string }
  | { t: "channels"; channels: BridgeChannelConfig[] }
  | ({ t: "reply" } & BridgeReply)
  | ({ t: "reply.progress" } & BridgeProgress)
  | { t: "inbound.ack"; id: string; duplicate: boolean; rejected?: string }
  | ContainerHubFrame;

export const hubFrame = z.discriminatedUnion("t", [
  z.object({ t: z.literal("welcome"), bridgeId: z.string(), name: z.string() }),
  z.object({
    t: z.literal("channels"),
    channels: z.array(z.object({ id: z.string(), type: z.string(), name: z.string(), config: z.record(z.string(), z.unknown()) })),
  }),
  z.object({
    t: z.literal("reply"),
    id: z.string(),
    channelId: z.string(),
    recipient: z.string(),
    conversationId: z.string().optional(),
    inReplyTo: z.string().optional(),
    text: z.string(),
    replyContext: z.record(z.string(), z.string()).optional(),
    file: z.object({ name: z.string().min(1).max(200), mediaType: z.string().min(1).max(100), size: z.number().int().positive() }).optional(),
  }),
  z.object({
    t: z.literal("reply.progress"),
    replyId: z.string().min(1).max(200),
    channelId: z.string(),
    recipient: z.string(),
    conversationId: z.string().optional(),
    inReplyTo: z.string().optional(),
    text: z.string(),
    replyContext: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ t: z.literal("inbound.ack"), id: z.string(), duplicate: z.boolean(), rejected: z.string().optional() }),
  ...containerHubFrames,
]);
