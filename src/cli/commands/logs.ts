/**
 * `loopgate logs [--follow]`: the event log, then (with --follow) the live feed as it happens,
 * over the same WebSocket as the dashboard (`/api/live`). The token goes in the Authorization
 * header, not the URL, so it never lands in access logs. A dropped feed reconnects and fills the
 * gap from `/api/events?after=`, so no event is missed or shown twice.
 */
import { intOption, stringOption } from "../options";
import type { CommandSpec } from "../command";
import { type Gateway, unwrap } from "../connection";
import { CliError, EXIT } from "../errors";
import type { Output } from "../output";
import { formatTime } from "../output";
import { findChannel } from "./channels";

/** One row of /api/events or one frame of the live feed. */
export interface FeedEvent {
  id: string;
  at: number;
  kind: string;
  channelId?: string | null;
  senderId?: string | null;
  detail?: Record<string, unknown> | null;
}

const RECONNECT_MAX_MS = 10_000;

/** Node's WebSocket (undici) takes request headers in its second argument, beyond the standard. */
type HeaderWebSocket = new (url: string, init: { headers: Record<string, string> }) => WebSocket;
const SEEN_LIMIT = 2_000;

/** "12:00:01  message.received  ch_x  alice  text="hi" …": one event per line. */
export function formatEvent(e: FeedEvent): string {
  const detail = Object.entries(e.detail ?? {})
    .map(([k, v]) => `${k}=${typeof v === "string" ? JSON.stringify(v.length > 80 ? `${v.slice(0, 79)}…` : v) : JSON.stringify(v)}`)
    .join(" ");
  return [formatTime(e.at), e.kind, e.channelId ?? "-", e.senderId ?? "-", detail].join("  ").trimEnd();
}

class EventPrinter {
  private readonly seen = new Set<string>();
  lastId: string | undefined;
  constructor(
    private readonly out: Output,
    private readonly filter: (e: FeedEvent) => boolean,
  ) {}

  print(e: FeedEvent): void {
    if (this.seen.has(e.id)) return;
    this.seen.add(e.id);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value as string);
    if (!this.lastId || e.id > this.lastId) this.lastId = e.id;
    if (!this.filter(e)) return;
    if (this.out.json) process.stdout.write(`${JSON.stringify(e)}\n`);
    else this.out.say(formatEvent(e));
  }
}

async function backlog(gw: Gateway, query: { limit: string; after?: string; kind?: string; channelId?: string }): Promise<FeedEvent[]> {
  const { events } = await unwrap(gw, gw.client.api.events.$get({ query }));
  return [...events].reverse();
}

/** Connects once; resolves when the socket closes (true if it had opened). */
function followOnce(gw: Gateway, printer: EventPrinter, onOpen: () => Promise<void>): Promise<boolean> {
  const url = new URL(gw.client.api.live.$url());
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return new Promise((done) => {
    let opened = false;
    const ws = new (WebSocket as unknown as HeaderWebSocket)(url.href, { headers: { authorization: `Bearer ${gw.token ?? ""}` } });
    ws.addEventListener("open", () => {
      opened = true;
      void onOpen();
    });
    ws.addEventListener("message", (m) => {
      if (typeof m.data !== "string") return;
      try {
        const event = JSON.parse(m.data) as FeedEvent;
        if (event.kind !== "feed.hello" && typeof event.id === "string") printer.print(event);
      } catch {
        // not an event frame (e.g. "pong")
      }
    });
    ws.addEventListener("close", () => done(opened));
    ws.addEventListener("error", () => undefined);
  });
}

export const logsCommand: CommandSpec = {
  path: ["logs"],
  summary: "show recent pipeline events; --follow streams the live feed",
  remote: true,
  options: {
    follow: { type: "boolean", short: "f", description: "keep streaming new events until Ctrl-C" },
    limit: { type: "string", short: "n", valueName: "n", description: "how many recent events to show first (default 20, 0 for none)" },
    kind: { type: "string", valueName: "kind", description: "only events of this kind, e.g. message.received" },
    channel: { type: "string", valueName: "channel", description: "only events of this channel (id or name)" },
  },
  details: "With --json: {events: [...]} oldest first; with --follow --json, one event per line (NDJSON) as they come.",
  async run({ values, gateway, out }) {
    const gw = gateway();
    const limit = intOption(values, "limit", 0, 500) ?? 20;
    const kind = stringOption(values, "kind");
    const ref = stringOption(values, "channel");
    const channelId = ref ? (await findChannel(gw, ref)).id : undefined;
    const printer = new EventPrinter(out, (e) => (!kind || e.kind === kind) && (!channelId || e.channelId === channelId));
    const filters = { ...(kind ? { kind } : {}), ...(channelId ? { channelId } : {}) };
    const recent = limit > 0 ? await backlog(gw, { limit: String(limit), ...filters }) : [];
    if (!values.follow && out.json) return out.data({ events: recent });
    for (const e of recent) printer.print(e);
    if (!values.follow) return;
    // The gap check after (re)connecting needs a starting point even when nothing was shown.
    printer.lastId ??= (await backlog(gw, { limit: "1" }))[0]?.id;

    out.progress(`Following the live feed of ${gw.url} (Ctrl-C to stop)...`);
    let delayMs = 500;
    for (;;) {
      // Events between the backlog and the socket opening are fetched once it is open.
      const opened = await followOnce(gw, printer, async () => {
        delayMs = 500;
        if (!printer.lastId) return;
        const missed = await backlog(gw, { limit: "500", after: printer.lastId }).catch(() => []);
        for (const e of missed) printer.print(e);
      });
      if (!opened) {
        // Never got a socket: find out why (unreachable, bad token) from a plain request.
        await unwrap(gw, gw.client.api.events.$get({ query: { limit: "1" } })).catch((err: unknown) => {
          // Down (restarting) is worth waiting for; a refused token is not.
          if (!(err instanceof CliError) || err.exitCode !== EXIT.unreachable) throw err;
        });
      }
      out.progress(`loopgate: live feed ${opened ? "disconnected" : "unavailable"}; reconnecting in ${Math.round(delayMs / 100) / 10} s...`);
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(delayMs * 2, RECONNECT_MAX_MS);
    }
  },
};
