/**
 * Downloads a file a Slack user shared (pipeline stage 7, for the agent): `url_private_download`
 * with the bot token as a bearer header (the app needs the `files:read` scope). The token goes
 * only to Slack's file host (or the configured API root's host, for a proxy or test server),
 * never to a host an event could name. Without the scope Slack answers its sign-in page, which
 * is reported as such rather than passed on as the file.
 */
import { downloadCapped } from "../shared/media-download";
import type { Attachment, FetchedAttachment } from "../shared/types";
import { SLACK_FILE_SCHEME } from "./events";

const SLACK_FILE_HOSTS = new Set(["files.slack.com"]);

export async function fetchSlackFile(
  attachment: Attachment,
  o: { botToken: string; apiBase?: string; fetch: typeof fetch },
  maxBytes: number,
): Promise<FetchedAttachment> {
  if (!attachment.url?.startsWith(SLACK_FILE_SCHEME)) return { ok: false, reason: "unavailable", error: "not a Slack file" };
  let url: URL;
  try {
    url = new URL(attachment.url.slice(SLACK_FILE_SCHEME.length));
  } catch {
    return { ok: false, reason: "unavailable", error: "the Slack file URL is malformed" };
  }
  const allowed = SLACK_FILE_HOSTS.has(url.host) || (o.apiBase !== undefined && new URL(o.apiBase).host === url.host);
  if (!allowed || (url.protocol !== "https:" && !o.apiBase))
    return { ok: false, reason: "unavailable", error: `files are downloaded only from files.slack.com, not ${url.host}` };
  const fetched = await downloadCapped({
    fetch: o.fetch,
    url: url.href,
    headers: { authorization: `Bearer ${o.botToken}` },
    maxBytes,
    platform: "Slack",
    fallbackType: attachment.type,
  });
  if (fetched.ok && fetched.mediaType === "text/html" && attachment.type !== "text/html")
    return { ok: false, reason: "unavailable", error: "Slack answered its sign-in page: the app needs the files:read scope" };
  return fetched;
}
