/**
 * Channels served by a bridge (IRC, Signal, Slack Socket Mode): the Worker has no webhook for
 * them; the bridge delivers their messages over its socket, and replies are queued in the
 * bridge's BridgeHub object until the bridge acknowledges them. One factory, one config
 * schema per platform (bridged-<platform>.ts), the same schema the bridge validates with.
 */
import * as z from "zod";
import type { ChannelAdapter, ChannelContext, OutboundFileMessage, OutboundMessage, SendResult } from "./types";
import { BRIDGE_ID_PATTERN, type BridgeReplyTarget } from "../../protocol/bridge";
import { fileNotAttachedText } from "../../lib/agent-files";
import { fetchBridgeMedia } from "./bridge-media";

/** Every bridged config names the bridge that serves it. */
export const bridgeIdField = z
  .string()
  .regex(BRIDGE_ID_PATTERN, "bridgeId must be the id of a bridge (brg_...), see GET /api/bridges")
  .meta({ title: "Bridge" })
  .describe(
    "Id of the bridge that serves this channel (brg_...): the Bridges page, or GET /api/bridges. That bridge holds the connection to the platform; run it with its own token (docs/bridge.md).",
  );

export interface BridgedAdapterOptions<C extends { bridgeId: string }> {
  type: string;
  description: string;
  configSchema: z.ZodType<C>;
  secretFields: readonly string[];
  /** Where the bridge connects with the secrets (see ChannelAdapter.endpointFields); `bridgeId` always counts. */
  endpointFields?: readonly string[];
  maxMessageLength: number;
  /** What the admin must do besides running the bridge (log in, register, invite the bot...). */
  setupSteps: string[];
  /**
   * The bridge uploads files the agent sends on this platform (docs/media.md): the file waits in
   * the BridgeHub and the bridge fetches it. Without it the person gets a line naming the file.
   */
  sendsFiles?: boolean;
  /**
   * The bridge uploads this channel's files (POST /bridge/media) and the message refers to them
   * as `bridge-media:` references, which the adapter reads back (bridge-media.ts).
   */
  bridgeMedia?: boolean;
  /**
   * The bridge posts and edits this channel's replies while the model writes (docs/streaming.md):
   * changes of the reply so far go to it at most every `minIntervalMs` while it is connected.
   */
  streams?: { minIntervalMs: number };
}

export function createBridgedAdapter<C extends { bridgeId: string }>(options: BridgedAdapterOptions<C>): ChannelAdapter<C> {
  return {
    type: options.type,
    description: options.description,
    configSchema: options.configSchema,
    secretFields: options.secretFields,
    endpointFields: ["bridgeId", ...(options.endpointFields ?? [])],
    maxMessageLength: options.maxMessageLength,
    bridged: true,
    ...(options.bridgeMedia ? { fetchAttachment: (attachment, ctx, maxBytes) => fetchBridgeMedia(attachment, ctx, maxBytes) } : {}),

    async send(message, { channelId, config, bridges }) {
      if (!bridges) return { ok: false, retryable: false, error: "no bridge queue here: bridged channels deliver from the Worker only" };
      return bridges.enqueue(config.bridgeId, { id: message.deliveryId, ...replyTarget(message, channelId), text: message.text });
    },

    ...(options.sendsFiles ? { sendFile: queueFileReply<C> } : {}),
    ...(options.streams ? { relayedStreaming: { minIntervalMs: options.streams.minIntervalMs, relay: relayProgress<C> } } : {}),

    async setup({ config }) {
      return {
        ok: true,
        steps: [
          `This channel is served by bridge ${config.bridgeId}: run it with LOOPGATE_URL and its LOOPGATE_BRIDGE_TOKEN (see docs/bridge.md); it receives this config over its socket.`,
          ...options.setupSteps,
          "The bridge reports the channel's state (connecting, connected, needs_login, failed) in GET /api/channels/:id as status and lastError.",
        ],
      };
    },
  };
}

/** A file reply: the hub keeps the bytes, the frame names the file and carries the line sent instead if the upload fails. */
async function queueFileReply<C extends { bridgeId: string }>(
  message: OutboundFileMessage,
  { channelId, config, bridges }: ChannelContext<C>,
): Promise<SendResult> {
  if (!bridges) return { ok: false, retryable: false, error: "no bridge queue here: bridged channels deliver from the Worker only" };
  const { file } = message;
  const size = file.bytes.byteLength;
  const reply = {
    id: message.deliveryId,
    ...replyTarget(message, channelId),
    text: fileNotAttachedText(file.name, size),
    file: { name: file.name, mediaType: file.mediaType, size },
  };
  return bridges.enqueue(config.bridgeId, reply, file);
}

/** The reply so far, to the bridge if it is connected; dropped otherwise (the finished reply is queued as usual). */
async function relayProgress<C extends { bridgeId: string }>(message: OutboundMessage, { channelId, config, bridges }: ChannelContext<C>): Promise<boolean> {
  if (!bridges) return false;
  return bridges.progress(config.bridgeId, { replyId: message.deliveryId, ...replyTarget(message, channelId), text: message.text });
}

/** Where the reply goes, as every frame to the bridge names it (a reply, a file reply, the reply so far). */
function replyTarget(message: OutboundMessage, channelId: string): BridgeReplyTarget {
  return {
    channelId,
    recipient: message.recipient,
    conversationId: message.conversationId,
    inReplyTo: message.inReplyTo,
    replyContext: message.replyContext,
  };
}
