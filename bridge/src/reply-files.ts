/**
 * Replies that carry a file the agent sent (docs/media.md, "Files the agent sends"). The frame
 * names the file; the bridge fetches the bytes from the gateway (`GET /bridge/files/<reply id>`,
 * with its own token) and hands them to the channel's `sendFile`. When the channel has no
 * uploads, the gateway no longer has the file (expired, or the channel moved to another bridge),
 * or the platform refuses it for good, the reply's text, a line naming the file, goes instead:
 * the person always hears of it. A network error or a 5xx is retried like any reply.
 */
import { BRIDGE_FILE_ROUTE, type BridgeReply } from "../../src/protocol/bridge";
import type { Logger } from "../../src/lib/log";
import type { DeliveryOutcome, ReplyFileBytes, RunningChannel } from "./channels/shared/types";

export type FetchedReplyFile =
  | { ok: true; file: ReplyFileBytes }
  /** `gone`: the gateway will never hand it out (404, 403, 410); otherwise try again later. */
  | { ok: false; gone: boolean; error: string };

export class ReplyFiles {
  constructor(
    private readonly gatewayUrl: string,
    private readonly token: string,
    private readonly log: Logger,
    private readonly fetchFn: typeof fetch = globalThis.fetch,
  ) {}

  async fetch(reply: BridgeReply): Promise<FetchedReplyFile> {
    const declared = reply.file;
    if (!declared) return { ok: false, gone: true, error: "this reply has no file" };
    const url = `${this.gatewayUrl.replace(/\/$/, "")}${BRIDGE_FILE_ROUTE}${encodeURIComponent(reply.id)}`;
    let response: Response;
    try {
      response = await this.fetchFn(url, { headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      return { ok: false, gone: false, error: `gateway unreachable for the file: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: string } | null;
      const error = `gateway answered ${response.status} for the file: ${body?.error ?? response.statusText}`;
      return { ok: false, gone: response.status === 403 || response.status === 404 || response.status === 410, error };
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    // The frame said how large it is; anything else is a broken transfer, fetched again.
    if (bytes.byteLength !== declared.size) return { ok: false, gone: false, error: `file arrived with ${bytes.byteLength} bytes, ${declared.size} announced` };
    return { ok: true, file: { name: declared.name, mediaType: declared.mediaType, bytes } };
  }

  /** Delivers one reply on a running channel: its file where there is one and the channel uploads, else its text. */
  async deliver(channel: RunningChannel, reply: BridgeReply): Promise<DeliveryOutcome> {
    if (!reply.file || !channel.sendFile) return channel.send(reply);
    const fetched = await this.fetch(reply);
    if (!fetched.ok) {
      if (!fetched.gone) return { ok: false, retryable: true, error: fetched.error };
      this.log.warn("reply file unavailable; sending its name instead", { replyId: reply.id, channelId: reply.channelId, error: fetched.error });
      return channel.send(reply);
    }
    const uploaded = await channel.sendFile(reply, fetched.file);
    if (uploaded.ok || uploaded.retryable) return uploaded;
    this.log.warn("file upload refused; sending its name instead", { replyId: reply.id, channelId: reply.channelId, error: uploaded.error });
    const line = await channel.send(reply);
    return line.ok ? line : uploaded;
  }
}
