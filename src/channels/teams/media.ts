/**
 * Downloads a Teams attachment for the turn (pipeline stage 7; attachments.ts made the references):
 * - `teams-image:` a pasted picture on the Bot Connector, fetched with the bot token. The token
 *   goes only to the Connector's hosts (the serviceUrl hosts Microsoft documents per cloud);
 * - `teams-file:` a file from a personal chat, fetched from its pre-authenticated OneDrive /
 *   SharePoint link with no token at all, and only from `*.sharepoint.com`.
 * The host of the configured OpenID metadata (a proxy or test server the channel already trusts to
 * vouch for serviceUrls) is allowed for both, over http too. Sizes are not declared: the
 * download is capped while it is read (media-download.ts).
 */
import { downloadCapped } from "../shared/media-download";
import { botToken, type TeamsCredentials } from "./api";
import { TEAMS_FILE_SCHEME, TEAMS_IMAGE_SCHEME } from "./attachments";
import type { Attachment, FetchedAttachment } from "../shared/types";

/** Bot Connector hosts (serviceUrl) of the public, GCC, GCC High and DoD clouds. */
export const CONNECTOR_HOSTS = new Set([
  "smba.trafficmanager.net",
  "smba.infra.gcc.teams.microsoft.com",
  "smba.infra.gov.teams.microsoft.us",
  "smba.infra.dod.teams.microsoft.us",
]);

/** OneDrive for Business and SharePoint Online: `<tenant>.sharepoint.com`, `<tenant>-my.sharepoint.com`. */
export function isSharePointHost(host: string): boolean {
  return /^[a-z0-9-]+\.sharepoint\.com$/i.test(host);
}

export type TeamsMediaTarget = { kind: "image" | "file"; url: URL } | { kind: "refused"; error: string };

/** Where a reference may be fetched from, or why not; `trustedHost` is the configured OpenID metadata's host. */
export function teamsMediaTarget(reference: string | undefined, trustedHost: string | undefined): TeamsMediaTarget {
  const kind = reference?.startsWith(TEAMS_IMAGE_SCHEME) ? "image" : reference?.startsWith(TEAMS_FILE_SCHEME) ? "file" : null;
  if (!kind || !reference) return { kind: "refused", error: "not a Teams attachment" };
  let url: URL;
  try {
    url = new URL(reference.slice(kind === "image" ? TEAMS_IMAGE_SCHEME.length : TEAMS_FILE_SCHEME.length));
  } catch {
    return { kind: "refused", error: "the Teams attachment URL is malformed" };
  }
  const trusted = trustedHost !== undefined && url.host === trustedHost;
  if (url.protocol !== "https:" && !(trusted && url.protocol === "http:")) return { kind: "refused", error: "Teams attachments are fetched over https only" };
  if (url.username || url.password) return { kind: "refused", error: "the Teams attachment URL carries credentials" };
  if (kind === "image" && !trusted && !CONNECTOR_HOSTS.has(url.hostname))
    return { kind: "refused", error: `pictures are downloaded only from the Bot Connector, not ${url.host}` };
  if (kind === "file" && !trusted && !isSharePointHost(url.hostname))
    return { kind: "refused", error: `files are downloaded only from SharePoint / OneDrive, not ${url.host}` };
  return { kind, url };
}

export async function fetchTeamsMedia(
  attachment: Attachment,
  creds: TeamsCredentials,
  trustedHost: string | undefined,
  maxBytes: number,
): Promise<FetchedAttachment> {
  const target = teamsMediaTarget(attachment.url, trustedHost);
  if (target.kind === "refused") return { ok: false, reason: "unavailable", error: target.error };
  let headers: Record<string, string> = {};
  if (target.kind === "image") {
    try {
      headers = { authorization: `Bearer ${await botToken(creds)}` };
    } catch (err) {
      return { ok: false, reason: "unavailable", error: `no bot token for the picture: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const fetched = await downloadCapped({
    fetch: creds.fetch,
    url: target.url.href,
    headers,
    maxBytes,
    platform: target.kind === "image" ? "Teams" : "SharePoint",
    fallbackType: attachment.type,
  });
  // An expired or revoked link answers a sign-in page, not the file.
  if (fetched.ok && fetched.mediaType === "text/html" && attachment.type !== "text/html")
    return { ok: false, reason: "unavailable", error: "the download link answered a web page instead of the file (expired link?)" };
  return fetched;
}
