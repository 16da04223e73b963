/**
 * Runs the channels the gateway pushes: starts new ones, restarts changed ones, stops removed
 * ones, and routes replies to them. A reply for a channel that is reconnecting is held and
 * retried rather than failed, so a platform outage delays replies without losing them.
 */
import { join } from "node:path";
import type { BridgeChannelConfig, BridgeChannelState, BridgeInboundMessage, BridgeProgress, BridgeReply } from "../../src/protocol/bridge";
import { bridgeChannelTypes } from "./channels/registry";
import type { DeliveryOutcome, RunningChannel } from "./channels/shared/types";
import type { Logger } from "../../src/lib/log";
import type { ReplyFiles } from "./reply-files";
import type { InboundFile } from "./inbound-outbox";
import type { LiveReplies } from "./live-replies";

/** How often a held reply is retried while its platform is unreachable. */
const HELD_REPLY_RETRY_MS = 1000;

export interface ManagerEvents {
  inbound(channelId: string, message: BridgeInboundMessage, files?: InboundFile[]): void;
  state(channelId: string, state: BridgeChannelState, reason?: string, detail?: string): void;
}

interface Entry {
  key: string;
  running: RunningChannel;
}

export class ChannelManager {
  private readonly channels = new Map<string, Entry>();
  private received = false;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly events: ManagerEvents,
    /** Fetches the files replies name (reply-files.ts); without it a file reply sends its text line. */
    private readonly files?: ReplyFiles,
    /** Streamed replies (live-replies.ts); without it progress is ignored and replies are posted whole. */
    private readonly live?: LiveReplies,
  ) {}

  /** Reconciles the running set with the gateway's list. */
  async apply(list: BridgeChannelConfig[]): Promise<void> {
    this.received = true;
    const wanted = new Map(list.map((c) => [c.id, c]));
    for (const [id, entry] of this.channels) {
      const next = wanted.get(id);
      if (next && entry.key === keyOf(next)) continue;
      this.channels.delete(id);
      await entry.running.stop().catch((err: unknown) => this.log.warn("channel stop failed", { channelId: id, error: String(err) }));
      if (!next) this.log.info("channel removed", { channelId: id });
    }
    for (const channel of list) {
      if (this.channels.has(channel.id)) continue;
      const type = bridgeChannelTypes.get(channel.type);
      if (!type) {
        this.events.state(channel.id, "failed", `this bridge does not run ${channel.type} channels`);
        continue;
      }
      const log = scoped(this.log, channel.id);
      try {
        const running = type.start(channel, {
          receive: (message, files) => this.events.inbound(channel.id, message, files),
          state: (state, reason, detail) => this.events.state(channel.id, state, reason, detail),
          log,
          dataDir: join(this.dataDir, "channels", channel.id),
        });
        this.channels.set(channel.id, { key: keyOf(channel), running });
        log.info("channel started", { type: channel.type, name: channel.name });
      } catch (err) {
        this.events.state(channel.id, "failed", err instanceof Error ? err.message : String(err));
      }
    }
  }

  /** A running turn's reply so far: posted or edited on platforms that edit messages, ignored elsewhere. */
  progress(frame: BridgeProgress): void {
    const streaming = this.channels.get(frame.channelId)?.running.streaming;
    if (streaming && this.live) this.live.progress(frame, streaming);
  }

  /** Delivers a reply, holding it while its channel is (re)connecting. */
  async deliver(reply: BridgeReply, isCancelled: () => boolean = () => false): Promise<DeliveryOutcome> {
    for (;;) {
      const entry = this.channels.get(reply.channelId);
      if (!entry && this.received && !isCancelled()) return { ok: false, retryable: false, error: `channel ${reply.channelId} is not running on this bridge` };
      let waitMs = HELD_REPLY_RETRY_MS;
      if (entry) {
        const outcome = await this.deliverTo(entry.running, reply).catch(
          (err: unknown): DeliveryOutcome => ({ ok: false, retryable: true, error: String(err) }),
        );
        if (outcome.ok || !outcome.retryable) return outcome;
        waitMs = Math.max(waitMs, outcome.retryAfterMs ?? 0);
      }
      if (isCancelled()) return { ok: false, retryable: true, error: "bridge stopping" };
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }

  /** A streamed reply becomes its message's last edit; everything else (and a message gone) is posted. */
  private async deliverTo(running: RunningChannel, reply: BridgeReply): Promise<DeliveryOutcome> {
    if (!reply.file && running.streaming && this.live) {
      const finished = await this.live.finish(reply, running.streaming);
      if (finished) return finished;
    }
    return this.files ? this.files.deliver(running, reply) : running.send(reply);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.channels.values()].map((e) => e.running.stop().catch(() => undefined)));
    this.channels.clear();
  }
}

function keyOf(channel: BridgeChannelConfig): string {
  return JSON.stringify([channel.type, channel.name, channel.config]);
}

function scoped(log: Logger, channelId: string): Logger {
  return {
    info: (msg, d) => log.info(msg, { channelId, ...d }),
    warn: (msg, d) => log.warn(msg, { channelId, ...d }),
    error: (msg, d) => log.error(msg, { channelId, ...d }),
  };
}
