/**
 * One feed row: when, and what happened in a sentence (event-sentence.ts) naming who and on
 * which channel; a link to that person's conversation (or, for an admin's change, to what it
 * changed); the event's raw fields one click away
 * for someone debugging an integration.
 */
import type { FeedEvent } from "../api/types";
import { navigate } from "../shell/router";
import { clockTime } from "../ui/format";
import { type Names, sentence } from "./event-sentence";

/** The Conversations screen opened on one sender's chat. */
export function conversationHref(channelId: string, senderId: string): string {
  return `/conversations?channel=${encodeURIComponent(channelId)}&sender=${encodeURIComponent(senderId)}`;
}

export function EventRow({
  event,
  names,
  hasConversation,
}: {
  event: FeedEvent;
  names: Names;
  hasConversation: (channelId: string, senderId: string) => boolean;
}) {
  const s = sentence(event, names);
  const href = event.channelId && event.senderId && hasConversation(event.channelId, event.senderId) ? conversationHref(event.channelId, event.senderId) : null;
  // An admin action links to what it changed (the gateway gives the dashboard path; a deleted thing has none).
  const target = event.kind === "admin.action" && typeof event.detail.href === "string" && event.detail.href.startsWith("/") ? event.detail.href : null;
  return (
    <li class="event" data-kind={event.kind} data-event-id={event.id} data-tone={s.tone}>
      <time dateTime={new Date(event.at).toISOString()} title={new Date(event.at).toString()}>
        {clockTime(event.at)}
      </time>
      <span class={`badge ${s.tone}`}>{s.label}</span>
      <span class="what">
        {s.text}
        {href && (
          <>
            {" "}
            <a
              class="small-link"
              href={href}
              onClick={(e) => {
                e.preventDefault();
                navigate(href);
              }}
            >
              Conversation
            </a>
          </>
        )}
        {target && (
          <>
            {" "}
            <a
              class="small-link"
              href={target}
              onClick={(e) => {
                e.preventDefault();
                navigate(target);
              }}
            >
              Open
            </a>
          </>
        )}
      </span>
      <details class="raw">
        <summary>Raw fields</summary>
        <pre>{JSON.stringify({ kind: event.kind, channelId: event.channelId, senderId: event.senderId, ...event.detail }, null, 2)}</pre>
      </details>
    </li>
  );
}
