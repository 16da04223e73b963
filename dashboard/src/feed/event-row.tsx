/** One feed row: when, what, where, who, and the event's details in one readable line. */
import type { FeedEvent } from "../api/types";
import { clockTime } from "../ui/format";

function tone(kind: string): string {
  if (/fail|error|dropped|rejected|down|locked/.test(kind)) return "bad";
  if (/rate_limited|requested|pending|retry/.test(kind)) return "warn";
  if (/received|started|hello/.test(kind)) return "muted";
  return "ok";
}

function summary(detail: Record<string, unknown>): string {
  if (typeof detail.text === "string") return detail.text;
  return (
    Object.entries(detail)
      // The row already names the channel and sender.
      .filter(([k, v]) => k !== "channelId" && k !== "senderId" && v !== null && v !== undefined && typeof v !== "object")
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(" · ")
  );
}

export function EventRow({ event, channelName }: { event: FeedEvent; channelName: (id: string) => string }) {
  return (
    <li class="event" data-kind={event.kind} data-event-id={event.id}>
      <time dateTime={new Date(event.at).toISOString()}>{clockTime(event.at)}</time>
      <span class={`badge ${tone(event.kind)}`}>{event.kind}</span>
      <span class="where">
        {event.channelId ? channelName(event.channelId) : "gateway"}
        {event.senderId && <span class="muted"> · {event.senderId}</span>}
      </span>
      <span class="what">{summary(event.detail)}</span>
    </li>
  );
}
