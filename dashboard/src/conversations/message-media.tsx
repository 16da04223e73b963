/**
 * The files under a message in the conversation view: pictures as thumbnails, voice notes as a
 * player with their transcript, other files by name, type and size, and why a file was refused.
 * The bytes come from `GET /api/media/:id` with the session's token (an <img> cannot send it),
 * turned into an object URL that is released when the bubble goes.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { MessageRow } from "../api/types";

type MediaItem = MessageRow["media"][number];

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

const KIND_LABEL: Record<string, string> = { image: "Picture", pdf: "PDF", text: "Text file", audio: "Voice message", other: "File" };

/** The file's bytes as an object URL, once fetched; null while loading or when unavailable. */
function useObjectUrl(item: MediaItem): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!item.available) return;
    let objectUrl: string | null = null;
    let live = true;
    void api.media[":id"]
      .$get({ param: { id: item.id } })
      .then(async (res) => {
        if (!res.ok || !live) return;
        objectUrl = URL.createObjectURL(await res.blob());
        setUrl(objectUrl);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [item.id, item.available]);
  return url;
}

function MediaEntry({ item }: { item: MediaItem }) {
  const url = useObjectUrl(item);
  const label = `${KIND_LABEL[item.kind] ?? "File"}${item.name ? `: ${item.name}` : ""} · ${item.mediaType}${item.sizeBytes ? ` · ${size(item.sizeBytes)}` : ""}`;
  return (
    <figure class={`media media-${item.kind}`} data-media-kind={item.kind} data-media-status={item.status}>
      {item.kind === "image" && url && <img src={url} alt={item.name ?? "Picture the sender attached"} />}
      {item.kind === "audio" && url && <audio controls src={url} aria-label="Voice message" />}
      {item.transcript !== null && (
        <blockquote class="transcript" aria-label="Transcript">
          {item.transcript}
        </blockquote>
      )}
      <figcaption>
        {url && item.kind !== "image" && item.kind !== "audio" ? (
          <a href={url} download={item.name ?? item.id}>
            {label}
          </a>
        ) : (
          label
        )}
        {item.status === "refused" && ` · refused${item.error ? `: ${item.error}` : ""}`}
        {item.status === "failed" && ` · failed${item.error ? `: ${item.error}` : ""}`}
        {item.status === "stored" && !item.available && " · deleted after the retention period"}
      </figcaption>
    </figure>
  );
}

export function MessageMedia({ media }: { media: MessageRow["media"] }) {
  if (!media.length) return null;
  return (
    <div class="media-list">
      {media.map((item) => (
        <MediaEntry key={item.id} item={item} />
      ))}
    </div>
  );
}
