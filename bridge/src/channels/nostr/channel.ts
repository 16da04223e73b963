/**
 * The Nostr channel as the bridge runs it: one RelayLink per configured relay, all fed into one
 * handler that verifies, dedupes (NostrCursor) and opens each event (src/channels/nostr/inbound.ts)
 * before its message goes to the outbox; replies are built in the sender's protocol
 * (outbound.ts) and published to the recipient's kind-10050 relays for NIP-17, else to the
 * configured relays. A reply re-sent after a failure re-publishes the same event, so relays and
 * clients dedupe it by id instead of showing it twice.
 */
import type { Filter } from "nostr-tools/filter";
import { finalizeEvent, getPublicKey, type NostrEvent } from "nostr-tools/pure";
import { type NostrConfig, nostrConfigSchema } from "../../../../src/channels/nostr";
import { KIND_DM_RELAYS, KIND_GIFT_WRAP, KIND_LEGACY_DM, isAuthentic, openEvent } from "../../../../src/channels/nostr/inbound";
import { npub, parseSecretKey } from "../../../../src/channels/nostr/keys";
import { buildReplyEvent, dmRelaysOf } from "../../../../src/channels/nostr/outbound";
import { describeZodError } from "../../../../src/lib/zod-error";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import { CLOCK_SKEW_S, NostrCursor, type Stream } from "./cursor";
import { type PublishOutcome, RelayLink, publishOnce } from "./relay-link";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, RunningChannel } from "../shared/types";

const RELAY_LIST_LOOKUP_MS = 5000;
const RELAY_LIST_TTL_MS = 10 * 60_000;
/** Replies kept built for a re-send; more than the channel manager ever has in flight. */
const MAX_BUILT_REPLIES = 500;

class NostrConnection implements RunningChannel {
  private readonly secretKey: Uint8Array;
  private readonly publicKey: string;
  private readonly cursor: NostrCursor;
  private readonly links: RelayLink[];
  private readonly built = new Map<string, NostrEvent>();
  private readonly relayLists = new Map<string, { relays: string[]; at: number }>();
  /** NIP-17: the bot's kind-10050 list tells clients where to send it gift-wrapped messages. */
  private readonly relayList: NostrEvent;
  private stopped = false;

  constructor(
    private readonly config: NostrConfig,
    private readonly host: ChannelHost,
  ) {
    const key = parseSecretKey(config.secretKey);
    if (!key) throw new Error("invalid nostr config: secretKey is not a valid key");
    this.secretKey = key;
    this.publicKey = getPublicKey(key);
    this.cursor = new NostrCursor(host.dataDir);
    const tags = config.relays.map((r) => ["relay", r]);
    this.relayList = finalizeEvent({ kind: KIND_DM_RELAYS, created_at: Math.floor(Date.now() / 1000), tags, content: "" }, key);
    host.state("connecting");
    host.log.info("nostr channel starting", { npub: npub(this.publicKey), relays: config.relays });
    this.links = [...new Set(config.relays)].map(
      (url) =>
        new RelayLink(url, {
          filters: () => this.filters(),
          onEvent: (event, relay) => this.onEvent(event, relay),
          onForged: (event, relay) => this.onForged(event, relay),
          onConnectedChange: (relay, connected, reason) => this.onConnectedChange(relay, connected, reason),
        }),
    );
  }

  async send(reply: BridgeReply): Promise<DeliveryOutcome> {
    let event = this.built.get(reply.id);
    if (!event) {
      const built = buildReplyEvent(reply, this.secretKey);
      if (!built.ok) return { ok: false, retryable: false, error: built.error };
      event = built.event;
      this.built.set(reply.id, event);
      if (this.built.size > MAX_BUILT_REPLIES) this.built.delete(this.built.keys().next().value ?? "");
    }
    const targets = event.kind === KIND_GIFT_WRAP ? await this.dmRelaysOf(reply.recipient) : this.config.relays;
    const outcomes = await Promise.all(targets.map((url) => this.publishTo(url, event)));
    if (outcomes.some((o) => o.ok)) return { ok: true };
    const failures = outcomes.filter((o): o is Extract<PublishOutcome, { ok: false }> => !o.ok);
    return {
      ok: false,
      retryable: failures.some((f) => f.retryable),
      error: failures
        .map((f) => f.error)
        .join("; ")
        .slice(0, 400),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const link of this.links) link.stop();
    this.host.state("stopped");
  }

  /** What each (re)subscription asks for: messages to the bot since the cursor. */
  private filters(): Filter[] {
    const p = [this.publicKey];
    const filters: Filter[] = [{ kinds: [KIND_GIFT_WRAP], "#p": p, since: this.cursor.since("wrap") }];
    if (this.config.legacyDirectMessages !== false) filters.push({ kinds: [KIND_LEGACY_DM], "#p": p, since: this.cursor.since("legacy") });
    return filters;
  }

  private onEvent(event: NostrEvent, relay: string): void {
    if (this.cursor.seen(event.id)) return;
    const opened = openEvent(event, this.secretKey);
    // A forged event's id may be a genuine event's: it must not mark that id as seen.
    if (opened.kind === "rejected" && !isAuthentic(event)) return this.onForged(event, relay);
    const stream: Stream = event.kind === KIND_GIFT_WRAP ? "wrap" : "legacy";
    if (opened.kind === "message") {
      const skip =
        opened.protocol === "nip04" && this.config.legacyDirectMessages === false
          ? "NIP-04 messages are turned off"
          : opened.writtenAt < this.cursor.startedAt - CLOCK_SKEW_S
            ? "written before the channel started"
            : null;
      if (skip) this.host.log.info("nostr message not answered", { relay, id: event.id, reason: skip });
      else this.host.receive(opened.message);
    } else if (opened.kind === "rejected") this.host.log.warn("nostr event dropped", { relay, id: event.id, reason: opened.reason });
    this.cursor.handled(stream, event.id, event.created_at);
  }

  private onForged(event: unknown, relay: string): void {
    const id = typeof event === "object" && event !== null ? String((event as { id?: unknown }).id).slice(0, 64) : "";
    this.host.log.warn("nostr event dropped", { relay, id, reason: "forged event: id or signature does not verify" });
  }

  private onConnectedChange(relay: string, connected: boolean, reason?: string): void {
    if (this.stopped) return;
    if (!connected) this.host.log.warn("nostr relay disconnected", { relay, reason });
    else this.host.log.info("nostr relay connected", { relay });
    const up = this.links.filter((l) => l.connected).length;
    if (up === 0) this.host.state("connecting", `no relay reachable${reason ? ` (${relay}: ${reason})` : ""}; reconnecting`);
    else
      this.host.state("connected", up < this.links.length ? `${this.links.length - up} of ${this.links.length} relays unreachable; reconnecting` : undefined);
    // Every relay that comes (back) up gets the list: a relay that was down at start would miss it.
    const link = connected ? this.links.find((l) => l.url === relay) : undefined;
    if (link) void link.publish(this.relayList);
  }

  /** The recipient's kind-10050 relays (newest list on any configured relay), else the configured relays. */
  private async dmRelaysOf(recipient: string): Promise<string[]> {
    const cached = this.relayLists.get(recipient);
    if (cached && Date.now() - cached.at < RELAY_LIST_TTL_MS) return cached.relays;
    const filter: Filter = { kinds: [KIND_DM_RELAYS], authors: [recipient], limit: 1 };
    const found = (await Promise.all(this.links.map((l) => l.query(filter, RELAY_LIST_LOOKUP_MS)))).flat();
    const newest = found.filter((e) => e.pubkey === recipient && isAuthentic(e)).sort((a, b) => b.created_at - a.created_at)[0] ?? null;
    const listed = dmRelaysOf(newest);
    const relays = listed.length > 0 ? listed : this.config.relays;
    this.relayLists.set(recipient, { relays, at: Date.now() });
    return relays;
  }

  private publishTo(url: string, event: NostrEvent): Promise<PublishOutcome> {
    const link = this.links.find((l) => sameRelay(l.url, url));
    return link ? link.publish(event) : publishOnce(url, event);
  }
}

function sameRelay(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+$/, "").toLowerCase();
  return norm(a) === norm(b);
}

export const nostrChannel: BridgeChannelType = {
  type: "nostr",
  start(channel, host) {
    const parsed = nostrConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid nostr config: ${describeZodError(parsed.error)}`);
    return new NostrConnection(parsed.data, host);
  },
};
