/**
 * A webhook channel on a gateway whose address platforms cannot reach (localhost, a private
 * address, plain http for platforms that need https): said plainly on creation and on the
 * channel, with the two ways around it: a tunnel that gives the gateway a public https address,
 * or, for Telegram, the bridge's long polling, which needs no public address at all.
 */
const PRIVATE_HOST =
  /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|[^.]+|.+\.(local|internal|lan))$/i;

/** The generic webhook's "platform" is the admin's own system, which may well run on the same machine. */
const LOCAL_SENDERS_OK = new Set(["webhook"]);

export function unreachableReason(url: string, type: string): string | null {
  if (LOCAL_SENDERS_OK.has(type)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (PRIVATE_HOST.test(parsed.hostname)) return `${parsed.origin} is an address only this machine or network can reach`;
  if (parsed.protocol !== "https:") return `${parsed.origin} is not https, which most platforms require`;
  return null;
}

export function UnreachableWarning({ url, type }: { url: string; type: string }) {
  const reason = unreachableReason(url, type);
  if (!reason) return null;
  return (
    <div class="banner warn" role="note" data-unreachable>
      <strong>The platform cannot send webhooks here yet:</strong> {reason}. Give the gateway a public https address, for example with a tunnel (
      <code>cloudflared tunnel --url {new URL(url).origin}</code>) and set <code>PUBLIC_URL</code> to the address it prints, then run setup again
      {type === "telegram" ? <>; or add it as a “Telegram bot by long polling (via the bridge)” channel instead, which needs no public address</> : null}.
    </div>
  );
}
