/**
 * The bridge: the link to the gateway, the on-disk outbox of inbound messages, the log of
 * delivered replies and the running channels, wired so that each direction is acknowledged
 * end to end. Inbound: platform → outbox (disk) → gateway → ack → removed from the outbox.
 * A message with files (bytes only the bridge can read) has them uploaded first (media-upload.ts);
 * an upload that fails for now keeps the message in the outbox, retried with backoff.
 * Outbound: gateway queue → platform → delivered log (disk) → ack → removed from the queue.
 * A streamed reply grows in one platform message first (live-replies.ts); its finished reply,
 * on the same path, is that message's last edit.
 */
import type { BridgeChannelState, BridgeReply, HubFrame } from "../../src/protocol/bridge";
import { ChannelManager } from "./channel-manager";
import { ContainerTurns } from "./containers/container-turns";
import type { ContainerSettings } from "./containers/settings";
import { DeliveredLog } from "./delivered-log";
import { InboundOutbox, type OutboxEntry } from "./inbound-outbox";
import { backoffDelayMs } from "./backoff";
import { uploadEntryFiles } from "./media-upload";
import { Link } from "./link";
import { LiveReplies } from "./live-replies";
import { ReplyFiles } from "./reply-files";
import type { Logger } from "../../src/lib/log";

export interface BridgeOptions {
  url: string;
  token: string;
  dataDir: string;
  heartbeatMs: number;
  version: string;
  log: Logger;
  /** Container runs (docs/containers.md); from the bridge's environment. */
  containers: ContainerSettings;
}

export class Bridge {
  private readonly outbox: InboundOutbox;
  private readonly delivered: DeliveredLog;
  private readonly manager: ChannelManager;
  private readonly link: Link;
  private readonly containers: ContainerTurns;
  private readonly live: LiveReplies;
  /** Outbox ids sent on the current connection, with when, for re-sending the unacknowledged. */
  private readonly sentAt = new Map<string, number>();
  private readonly replying = new Set<string>();
  /** Outbox ids whose files are being uploaded, and those waiting to try again (attempts, when). */
  private readonly uploading = new Set<string>();
  private readonly uploadRetries = new Map<string, { attempt: number; at: number }>();
  /** Last state per channel, re-reported after a reconnect. */
  private readonly states = new Map<string, { state: BridgeChannelState; reason?: string; detail?: string }>();
  private resendTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(private readonly options: BridgeOptions) {
    this.outbox = new InboundOutbox(options.dataDir);
    this.delivered = new DeliveredLog(options.dataDir);
    const files = new ReplyFiles(options.url, options.token, options.log);
    this.live = new LiveReplies(options.dataDir, options.log);
    this.manager = new ChannelManager(
      options.dataDir,
      options.log,
      {
        inbound: (channelId, message, inboundFiles) => {
          const { entry, error } = this.outbox.add(channelId, message, inboundFiles);
          if (error) options.log.warn("inbound kept in memory: it could not be written down", { channelId, outboxId: entry.id, error: error.message });
          else options.log.info("inbound persisted", { channelId, outboxId: entry.id, platformMessageId: message.platformMessageId });
          this.sendInbound(entry);
        },
        state: (channelId, state, reason, detail) => {
          const last = this.states.get(channelId);
          if (last && last.state === state && last.reason === reason && last.detail === detail) return;
          this.states.set(channelId, { state, reason, detail });
          options.log.info("channel state", { channelId, state, reason });
          this.link.send({ t: "state", channelId, state, reason, detail });
        },
      },
      files,
      this.live,
    );
    this.containers = new ContainerTurns({ dataDir: options.dataDir, settings: options.containers, log: options.log, send: (frame) => this.link.send(frame) });
    this.link = new Link({
      url: options.url,
      token: options.token,
      heartbeatMs: options.heartbeatMs,
      version: options.version,
      log: options.log,
      onFrame: (frame) => this.onFrame(frame),
      onOpen: () => this.sentAt.clear(),
      onClose: () => this.sentAt.clear(),
    });
  }

  start(): void {
    const pending = this.outbox.list().length;
    if (pending) this.options.log.info("outbox has unacknowledged messages from before", { pending });
    this.link.start();
    void this.containers.start();
    // Anything sent but not acknowledged within a few heartbeats is sent again (the gateway dedupes).
    this.resendTimer = setInterval(() => this.resendStale(), this.options.heartbeatMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.resendTimer) clearInterval(this.resendTimer);
    // Channels first, so their "stopped" states still reach the gateway.
    this.live.stop();
    await this.manager.stopAll();
    await this.containers.stop();
    await new Promise((r) => setTimeout(r, 100));
    this.link.stop();
  }

  private onFrame(frame: HubFrame): void {
    switch (frame.t) {
      case "welcome":
        this.options.log.info("connected to the gateway", { bridgeId: frame.bridgeId, name: frame.name });
        for (const [channelId, s] of this.states) this.link.send({ t: "state", channelId, ...s });
        for (const entry of this.outbox.list()) this.sendInbound(entry);
        this.containers.connected();
        return;
      case "channels":
        void this.manager.apply(frame.channels);
        return;
      case "inbound.ack":
        if (frame.rejected) this.options.log.warn("gateway rejected a message; dropped", { outboxId: frame.id, reason: frame.rejected });
        this.outbox.remove(frame.id);
        this.sentAt.delete(frame.id);
        return;
      case "reply":
        void this.reply(frame);
        return;
      case "reply.progress":
        // A reply already delivered, or being delivered, is finished: a late change must not undo it.
        if (!this.delivered.has(frame.replyId) && !this.replying.has(frame.replyId)) this.manager.progress(frame);
        return;
      case "turn":
      case "turn.result.ack":
      case "turn.cancel":
      case "turn.tool.result":
      case "workspace.remove":
        this.containers.onFrame(frame);
        return;
    }
  }

  private async reply(reply: BridgeReply): Promise<void> {
    if (this.delivered.has(reply.id)) {
      this.link.send({ t: "reply.ack", id: reply.id, ok: true });
      return;
    }
    if (this.replying.has(reply.id)) return;
    this.replying.add(reply.id);
    try {
      const outcome = await this.manager.deliver(reply, () => this.stopping);
      if (this.stopping && !outcome.ok) return;
      // Written before the ack: if the ack is lost, the re-sent reply is recognised, not delivered twice.
      const unrecorded = this.delivered.add(reply.id);
      if (unrecorded) this.options.log.warn("delivered reply remembered in memory only", { replyId: reply.id, error: unrecorded.message });
      if (!outcome.ok) this.options.log.warn("reply failed", { replyId: reply.id, channelId: reply.channelId, error: outcome.error });
      this.link.send({ t: "reply.ack", id: reply.id, ok: outcome.ok, ...(outcome.ok ? {} : { error: outcome.error.slice(0, 500) }) });
    } finally {
      this.replying.delete(reply.id);
    }
  }

  private sendInbound(entry: OutboxEntry): void {
    if (entry.files?.length) {
      void this.uploadThenSend(entry);
      return;
    }
    if (this.link.send({ t: "inbound", id: entry.id, channelId: entry.channelId, message: entry.message })) this.sentAt.set(entry.id, Date.now());
  }

  /** Files first, then the message; a failure that may pass keeps the message for a later try. */
  private async uploadThenSend(entry: OutboxEntry): Promise<void> {
    const retry = this.uploadRetries.get(entry.id);
    if (this.uploading.has(entry.id) || (retry && retry.at > Date.now())) return;
    this.uploading.add(entry.id);
    try {
      const files = new Map((entry.files ?? []).map((f) => [f.index, f]));
      const result = await uploadEntryFiles(entry, {
        url: this.options.url,
        token: this.options.token,
        readFile: (index) => {
          const file = files.get(index);
          return file ? this.outbox.readFile(file) : null;
        },
        warn: (msg, detail) => this.options.log.warn(msg, { channelId: entry.channelId, ...detail }),
      });
      if ("retry" in result) {
        const attempt = (retry?.attempt ?? 0) + 1;
        const inMs = backoffDelayMs(attempt, { baseMs: 1000, maxMs: 60_000 });
        this.uploadRetries.set(entry.id, { attempt, at: Date.now() + inMs });
        this.options.log.warn("attachment upload failed; the message is kept and tried again", {
          channelId: entry.channelId,
          outboxId: entry.id,
          error: result.retry,
          inMs,
        });
        return;
      }
      this.uploadRetries.delete(entry.id);
      const settled = this.outbox.settleFiles(entry, result.message);
      this.options.log.info("attachments handed to the gateway", { channelId: entry.channelId, outboxId: entry.id, files: files.size });
      this.sendInbound(settled);
    } finally {
      this.uploading.delete(entry.id);
    }
  }

  private resendStale(): void {
    // Messages the disk refused are written as soon as it takes them again.
    this.outbox.retryUnsaved();
    // Messages whose files could not be uploaded yet are tried again when their backoff is over.
    if (this.uploadRetries.size) {
      const now = Date.now();
      for (const entry of this.outbox.list()) {
        const retry = this.uploadRetries.get(entry.id);
        if (retry && retry.at <= now) void this.uploadThenSend(entry);
      }
    }
    // Nothing sent and unacknowledged: no need to read the outbox from disk.
    if (!this.link.open || this.sentAt.size === 0) return;
    const staleBefore = Date.now() - this.options.heartbeatMs * 5;
    for (const entry of this.outbox.list()) {
      const sent = this.sentAt.get(entry.id);
      if (sent !== undefined && sent < staleBefore) this.sendInbound(entry);
    }
  }
}
