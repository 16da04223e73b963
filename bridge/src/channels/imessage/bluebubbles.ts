/**
 * iMessage on the bridge, through the BlueBubbles server on the same signed-in Mac. The bridge
 * polls BlueBubbles' message query for messages newer than its cursor (message-cursor.ts),
 * normalises them with the Worker's code (src/channels/imessage/message.ts), downloads the
 * pictures, PDFs and voice messages the model reads (attachments.ts) to hand them to the gateway
 * with the message (bridge/src/media-upload.ts), and answers with `POST /message/text`, the
 * reply id as `tempGuid`. Messages can only be sent from macOS:
 * anywhere else the channel fails at once with the reason and what to do; the platform is
 * injectable so tests run the Mac path on Linux against a fake BlueBubbles.
 */
import { type BlueBubblesClient, ping, queryMessagesAfter, QUERY_PAGE_SIZE, sendText } from "../../../../src/channels/imessage/bluebubbles";
import { type IMessageConfig, imessageConfigSchema } from "../../../../src/channels/imessage";
import { normalizeBlueBubblesMessage } from "../../../../src/channels/imessage/message";
import { downloadAttachment } from "../../../../src/channels/imessage/attachments";
import type { InboundFile } from "../../inbound-outbox";
import { wantedBytes } from "../shared/media";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import { MessageCursor } from "./message-cursor";
import type { BridgeInboundMessage, BridgeReply } from "../../../../src/protocol/bridge";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, RunningChannel } from "../shared/types";

const RETRY = { baseMs: 1000, maxMs: 60_000 };
/** BlueBubbles runs on the same Mac: asking every two seconds costs nothing and keeps answers quick. */
export const IMESSAGE_POLL_INTERVAL_MS = 2000;
/** Message guids remembered so one read twice (same millisecond as the cursor) is forwarded once. */
const RECENT_MESSAGES = 1000;

export function notOnAMacReason(platform: string): string {
  return (
    `iMessage needs a Mac signed in to Messages, and this bridge runs on ${platform}. ` +
    "Run a bridge on that Mac (npm run bridge there, with the BlueBubbles server installed) and set this channel's bridgeId to it."
  );
}

class NotOnAMac implements RunningChannel {
  constructor(
    private readonly reason: string,
    private readonly host: ChannelHost,
  ) {
    host.state("failed", reason);
  }
  async send(): Promise<DeliveryOutcome> {
    return { ok: false, retryable: false, error: this.reason };
  }
  async stop(): Promise<void> {
    this.host.state("stopped");
  }
}

class BlueBubblesPoller implements RunningChannel {
  private readonly client: BlueBubblesClient;
  private readonly cursor: MessageCursor;
  private readonly recent = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private connected = false;
  private stopped = false;
  private attempt = 0;

  constructor(
    private readonly config: IMessageConfig,
    private readonly host: ChannelHost,
    private readonly pollIntervalMs: number,
  ) {
    this.client = { serverUrl: config.serverUrl, password: config.password, fetch: globalThis.fetch };
    this.cursor = new MessageCursor(host.dataDir);
    host.state("connecting");
    void this.begin();
  }

  async send(reply: BridgeReply): Promise<DeliveryOutcome> {
    if (!this.connected) return { ok: false, retryable: true, error: "BlueBubbles is not reachable" };
    const chatGuid = reply.conversationId ?? `iMessage;-;${reply.recipient}`;
    try {
      const result = await sendText(this.client, chatGuid, reply.text, reply.id);
      return result.ok ? { ok: true } : { ok: false, retryable: result.retryable, error: result.error };
    } catch (err) {
      return { ok: false, retryable: true, error: `BlueBubbles unreachable: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.host.state("stopped");
  }

  /** Checks the password (GET /ping) before the first poll, so a wrong one fails loudly at once. */
  private async begin(): Promise<void> {
    try {
      const pong = await ping(this.client);
      if (!pong.ok && pong.status === 401)
        return this.fail("BlueBubbles rejected the password (HTTP 401): copy the server password from BlueBubbles → Settings");
      if (!pong.ok) throw new Error(pong.error);
      // First start: what is already in Messages is history, not messages to answer.
      if (this.cursor.at === null) this.cursor.advance(Date.now());
      await this.poll();
    } catch (err) {
      this.retryLater(`cannot reach BlueBubbles at ${this.config.serverUrl}: ${err instanceof Error ? err.message : String(err)}`, () => this.begin());
    }
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    let full = false;
    try {
      // One millisecond back: a message in the cursor's own millisecond is read again, not lost.
      const page = await queryMessagesAfter(this.client, (this.cursor.at ?? Date.now()) - 1);
      if (!page.ok && page.status === 401)
        return this.fail("BlueBubbles rejected the password (HTTP 401): copy the server password from BlueBubbles → Settings");
      if (!page.ok) throw new Error(page.error);
      for (const raw of page.data) await this.handle(raw);
      full = page.data.length >= QUERY_PAGE_SIZE;
      if (!this.connected) {
        this.connected = true;
        this.attempt = 0;
        this.host.state("connected");
      }
    } catch (err) {
      this.connected = false;
      return this.retryLater(`cannot reach BlueBubbles: ${err instanceof Error ? err.message : String(err)}`, () => this.poll());
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), full ? 0 : this.pollIntervalMs);
  }

  private async handle(raw: unknown): Promise<void> {
    const outcome = normalizeBlueBubblesMessage(raw, { groups: this.config.groups });
    if (outcome.kind === "invalid") return this.host.log.warn("imessage message not understood", { error: outcome.error });
    if (outcome.kind === "message" && !this.recent.has(outcome.message.platformMessageId)) {
      const files = await this.download(outcome.message, outcome.downloads);
      this.host.receive(outcome.message, files);
      this.recent.add(outcome.message.platformMessageId);
      if (this.recent.size > RECENT_MESSAGES) this.recent.delete(this.recent.values().next().value as string);
    }
    this.cursor.advance(outcome.createdAt);
  }

  /**
   * The bytes of the attachments the model reads, within the limits; others stay described. A
   * download over the limit leaves the attachment with the size BlueBubbles announced (or just
   * over the limit), so the gateway answers with the clear refusal; one that fails otherwise
   * leaves it described only, and the turn says it could not be downloaded.
   */
  private async download(message: BridgeInboundMessage, guids: readonly (string | null)[]): Promise<InboundFile[]> {
    const files: InboundFile[] = [];
    const attachments = message.attachments ?? [];
    for (const [index, attachment] of attachments.entries()) {
      const maxBytes = wantedBytes(attachment);
      const guid = guids[index];
      if (maxBytes === null || !guid) continue;
      const got = await downloadAttachment(this.client, guid, maxBytes);
      if (got.ok) {
        attachments[index] = { ...attachment, type: got.mediaType, size: got.bytes.byteLength };
        files.push({ index, bytes: got.bytes });
      } else {
        if (got.tooLarge) attachments[index] = { ...attachment, size: got.size ?? maxBytes + 1 };
        this.host.log.warn("imessage attachment not downloaded", { guid, error: got.error });
      }
    }
    return files;
  }

  private retryLater(reason: string, again: () => Promise<void>): void {
    if (this.stopped) return;
    this.host.state("connecting", `${reason}; retrying`);
    this.timer = setTimeout(() => void again(), backoffDelayMs(this.attempt++, RETRY));
  }

  private fail(reason: string): void {
    this.stopped = true;
    this.connected = false;
    this.host.state("failed", reason);
  }
}

export function createIMessageChannel(options: { platform?: string; pollIntervalMs?: number } = {}): BridgeChannelType {
  const platform = options.platform ?? process.platform;
  return {
    type: "imessage",
    start(channel, host) {
      const parsed = imessageConfigSchema.safeParse(channel.config);
      if (!parsed.success) throw new Error(`invalid imessage config: ${describeZodError(parsed.error)}`);
      if (platform !== "darwin") return new NotOnAMac(notOnAMacReason(platform), host);
      return new BlueBubblesPoller(parsed.data, host, options.pollIntervalMs ?? IMESSAGE_POLL_INTERVAL_MS);
    },
  };
}
