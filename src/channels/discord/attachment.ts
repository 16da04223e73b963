/**
 * Downloads the file given to `/ask` (pipeline stage 7, for the agent): Discord hands it over as
 * a signed CDN URL that needs no token, so none is sent; the URL is fetched only from Discord's
 * CDN hosts (or the configured API root's host, for a test server), never from a host a payload
 * could name.
 */
import { downloadCapped } from "../shared/media-download";
import type { Attachment, FetchedAttachment } from "../shared/types";
import { DISCORD_CDN_SCHEME } from "./interaction";

const DISCORD_CDN_HOSTS = new Set(["cdn.discordapp.com", "media.discordapp.net"]);

export async function fetchDiscordAttachment(
  attachment: Attachment,
  o: { apiBase?: string; fetch: typeof fetch },
  maxBytes: number,
): Promise<FetchedAttachment> {
  if (!attachment.url?.startsWith(DISCORD_CDN_SCHEME)) return { ok: false, reason: "unavailable", error: "not a Discord attachment" };
  let url: URL;
  try {
    url = new URL(attachment.url.slice(DISCORD_CDN_SCHEME.length));
  } catch {
    return { ok: false, reason: "unavailable", error: "the Discord attachment URL is malformed" };
  }
  const cdn = DISCORD_CDN_HOSTS.has(url.host) && url.protocol === "https:";
  if (!cdn && !(o.apiBase && new URL(o.apiBase).host === url.host))
    return { ok: false, reason: "unavailable", error: `attachments are downloaded only from Discord's CDN, not ${url.host}` };
  return downloadCapped({ fetch: o.fetch, url: url.href, maxBytes, platform: "Discord", fallbackType: attachment.type });
}
