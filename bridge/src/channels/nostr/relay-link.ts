/**
 * One relay connection (NIP-01 over WebSocket, nostr-tools' AbstractRelay): connect, subscribe,
 * and after any drop reconnect with backoff and subscribe again with filters computed afresh
 * (the channel's cursor, so `since` covers what was missed). nostr-tools' own reconnect is off: it
 * resumes from the newest created_at it saw, which skips back-dated gift wraps, and it gives up
 * when the very first connection fails. Every event is checked (id and signature) by the
 * relay object before it reaches onEvent; the others go to onForged.
 */
import { AbstractRelay } from "nostr-tools/abstract-relay";
import type { Filter } from "nostr-tools/filter";
import type { NostrEvent } from "nostr-tools/pure";
import { isAuthentic } from "../../../../src/channels/nostr/inbound";
import { backoffDelayMs } from "../../backoff";

const RECONNECT = { baseMs: 500, maxMs: 60_000 };
const CONNECT_TIMEOUT_MS = 10_000;

export type PublishOutcome = { ok: true } | { ok: false; retryable: boolean; error: string };

export interface RelayLinkEvents {
  filters(): Filter[];
  onEvent(event: NostrEvent, relay: string): void;
  onForged(event: unknown, relay: string): void;
  onConnectedChange(relay: string, connected: boolean, reason?: string): void;
}

export class RelayLink {
  private relay: AbstractRelay | null = null;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  connected = false;

  constructor(
    readonly url: string,
    private readonly events: RelayLinkEvents,
  ) {
    this.connect();
  }

  async publish(event: NostrEvent): Promise<PublishOutcome> {
    if (!this.relay || !this.connected) return { ok: false, retryable: true, error: `${this.url}: not connected` };
    return publishOn(this.relay, event);
  }

  /** A one-off REQ answered until EOSE (or `timeoutMs`), authentic events only. */
  query(filter: Filter, timeoutMs: number): Promise<NostrEvent[]> {
    const relay = this.relay;
    if (!relay || !this.connected) return Promise.resolve([]);
    return new Promise((resolve) => {
      const found: NostrEvent[] = [];
      let done = false;
      const sub = relay.subscribe([filter], {
        onevent: (e) => found.push(e),
        oneose: () => finish(),
        onclose: () => finish(),
        eoseTimeout: timeoutMs,
      });
      const finish = () => {
        if (done) return;
        done = true;
        sub.close();
        resolve(found);
      };
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.relay?.close();
    this.relay = null;
  }

  private connect(): void {
    if (this.stopped) return;
    const relay = new AbstractRelay(this.url, { verifyEvent: (e) => isAuthentic(e), websocketImplementation: WebSocket });
    this.relay = relay;
    relay.onclose = () => this.dropped(relay, "connection closed");
    relay
      .connect({ timeout: CONNECT_TIMEOUT_MS })
      .then(() => {
        if (this.stopped || this.relay !== relay) return relay.close();
        this.attempt = 0;
        this.connected = true;
        relay.subscribe(this.events.filters(), {
          onevent: (e) => this.events.onEvent(e, this.url),
          oninvalidevent: (e) => this.events.onForged(e, this.url),
          onclose: (reason) => {
            // A relay that ends the subscription (CLOSED) but keeps the socket: start over.
            if (!this.stopped && this.relay === relay && relay.connected) {
              this.dropped(relay, `subscription closed by the relay: ${reason}`);
              relay.close();
            }
          },
        });
        this.events.onConnectedChange(this.url, true);
      })
      .catch((err: unknown) => this.dropped(relay, `cannot connect: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Called for every way a connection ends; schedules exactly one reconnect. */
  private dropped(relay: AbstractRelay, reason: string): void {
    if (this.stopped || this.relay !== relay) return;
    this.relay = null;
    this.connected = false;
    this.events.onConnectedChange(this.url, false, reason);
    const delay = backoffDelayMs(this.attempt++, RECONNECT);
    this.retry = setTimeout(() => this.connect(), delay);
  }
}

/** NIP-01's OK: accepted, or refused with a machine-readable prefix that says whether to retry. */
export async function publishOn(relay: AbstractRelay, event: NostrEvent): Promise<PublishOutcome> {
  try {
    await relay.publish(event);
    return { ok: true };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (reason.startsWith("duplicate:")) return { ok: true };
    const final = /^(invalid|pow|blocked|restricted|mute):/.test(reason);
    return { ok: false, retryable: !final, error: `${relay.url}: ${reason || "refused"}` };
  }
}

/** Publishes on a relay the bot does not read from (a recipient's own), then hangs up. */
export async function publishOnce(url: string, event: NostrEvent): Promise<PublishOutcome> {
  const relay = new AbstractRelay(url, { verifyEvent: (e) => isAuthentic(e), websocketImplementation: WebSocket });
  try {
    await relay.connect({ timeout: CONNECT_TIMEOUT_MS });
  } catch (err) {
    relay.close();
    return { ok: false, retryable: true, error: `${url}: cannot connect: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    return await publishOn(relay, event);
  } finally {
    relay.close();
  }
}
