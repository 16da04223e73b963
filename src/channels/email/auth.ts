/**
 * E-mail sender authentication (part of stage 1 for the e-mail channel): reads the SPF, DKIM
 * and DMARC results that the receiving server (Cloudflare Email Routing) wrote into
 * Authentication-Results or ARC-Authentication-Results (RFC 8601, RFC 8617).
 *
 * What a sender cannot forge, and so what counts:
 * - Only the receiving server's own result: the topmost Authentication-Results header (a
 *   receiving server prepends its own, RFC 8601 section 5), or failing that the topmost
 *   ARC-Authentication-Results (the instance it just added). Headers further down were written
 *   by earlier hops or by the sender, whatever authserv-id or ARC instance number they claim,
 *   and the ARC chain is not verified here, so they are never read.
 * - It must be stamped with the trusted authserv-id.
 * - Fail closed: no trusted result means the sender is not authenticated.
 * - The passing domain must be aligned with the From address the gateway keys the sender on
 *   (RFC 7489 section 3.1, relaxed): DMARC pass for the From domain, or DKIM pass with an aligned
 *   `header.d`, or SPF pass with an aligned `smtp.mailfrom`.
 *
 * Exported names are kept for every caller (Email Routing, the IMAP bridge): checkAuthentication
 * takes the From address as an optional third argument and reads the From header otherwise.
 */

/** One header of the message, as postal-mime lists them (lowercase key, top to bottom). */
export interface MailHeader {
  key: string;
  value: string;
}

export type AuthVerdict =
  /** `checked` is always true when ok: an unchecked message is refused (kept for callers that log it). */
  { ok: true; checked: boolean; results: Record<string, string> } | { ok: false; reason: string; results: Record<string, string> };

/** One `method=result prop=value ...` clause of a results header. */
export interface AuthResultEntry {
  method: string;
  result: string;
  /** Properties such as `header.d`, `header.from`, `smtp.mailfrom`, lowercased keys. */
  props: Record<string, string>;
}

interface ParsedResults {
  authServId: string;
  /** ARC instance (`i=`), 0 for a plain Authentication-Results header. */
  instance: number;
  results: Record<string, string[]>;
  entries: AuthResultEntry[];
}

/** Removes RFC 5322 comments `( ... )`, nested ones included. */
function stripComments(value: string): string {
  let out = "";
  let depth = 0;
  for (const ch of value) {
    if (ch === "(") depth++;
    else if (ch === ")" && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

export function parseAuthResults(value: string, arc: boolean): ParsedResults | null {
  const parts = stripComments(value)
    .split(";")
    .map((p) => p.trim());
  let instance = 0;
  if (arc) {
    const i = /^i\s*=\s*(\d+)$/i.exec(parts.shift() ?? "");
    if (!i) return null;
    instance = Number(i[1]);
  }
  // The authserv-id may be followed by a version number ("mx.example.org 1").
  const authServId = (parts.shift() ?? "").split(/\s+/)[0]?.toLowerCase() ?? "";
  if (!authServId) return null;
  const results: Record<string, string[]> = {};
  const entries: AuthResultEntry[] = [];
  for (const part of parts) {
    const m = /^([a-z0-9_.-]+)\s*=\s*([a-z]+)(.*)$/is.exec(part);
    if (!m) continue;
    const method = m[1]!.toLowerCase();
    const result = m[2]!.toLowerCase();
    const props: Record<string, string> = {};
    for (const p of m[3]!.matchAll(/([a-z0-9_-]+\.[a-z0-9_-]+)\s*=\s*("?)([^\s";]+)\2/gi)) props[p[1]!.toLowerCase()] = p[3]!.toLowerCase();
    (results[method] ??= []).push(result);
    entries.push({ method, result, props });
  }
  return { authServId, instance, results, entries };
}

/**
 * The results the trusted server recorded: the topmost Authentication-Results header, or
 * failing that the topmost ARC-Authentication-Results, when stamped by the trusted server.
 * Anything lower in the message could have been written by the sender and is not read.
 */
export function trustedResults(headers: readonly MailHeader[], trustedAuthServId: string): ParsedResults | null {
  const trusted = trustedAuthServId.toLowerCase();
  for (const [key, arc] of [
    ["authentication-results", false],
    ["arc-authentication-results", true],
  ] as const) {
    const top = headers.find((h) => h.key === key);
    if (!top) continue;
    const parsed = parseAuthResults(top.value, arc);
    return parsed?.authServId === trusted ? parsed : null;
  }
  return null;
}

/** The domain of the single From address, or null when there is none or more than one header. */
function fromDomainOf(headers: readonly MailHeader[], fromAddress: string | undefined): string | null {
  let address = fromAddress;
  if (address === undefined) {
    const from = headers.filter((h) => h.key === "from");
    if (from.length !== 1) return null;
    const value = stripComments(from[0]!.value);
    address = /<([^<>]+)>/.exec(value)?.[1] ?? value;
  }
  const at = address.trim().toLowerCase().lastIndexOf("@");
  return at > 0
    ? address
        .trim()
        .toLowerCase()
        .slice(at + 1)
    : null;
}

/**
 * Relaxed alignment: the same domain, or one a subdomain of the other (an organisational-domain
 * match without the Public Suffix List); never a bare top-level domain such as `org`.
 */
export function aligned(domain: string | undefined, fromDomain: string): boolean {
  if (!domain) return false;
  const d = domain.replace(/^.*@/, "").replace(/\.$/, "").toLowerCase();
  if (!d.includes(".") || !fromDomain.includes(".")) return false;
  return d === fromDomain || fromDomain.endsWith(`.${d}`) || d.endsWith(`.${fromDomain}`);
}

/**
 * Authenticated when the receiving server's own result shows DMARC pass for the From domain,
 * or a DKIM or SPF pass aligned with it; DMARC fail refuses even an aligned pass.
 */
export function checkAuthentication(headers: readonly MailHeader[], trustedAuthServId: string, fromAddress?: string): AuthVerdict {
  const parsed = trustedResults(headers, trustedAuthServId);
  if (!parsed)
    return {
      ok: false,
      reason: `no authentication results from ${trustedAuthServId.toLowerCase()} (the receiving server) at the top of the message`,
      results: {},
    };
  const summary = Object.fromEntries(Object.entries(parsed.results).map(([k, v]) => [k, v.join(",")]));
  const fromDomain = fromDomainOf(headers, fromAddress);
  if (!fromDomain) return { ok: false, reason: "message has no single From address to authenticate", results: summary };
  const passes = (method: string) => parsed.entries.filter((e) => e.method === method && e.result === "pass");
  if (parsed.entries.some((e) => e.method === "dmarc" && e.result === "fail")) return { ok: false, reason: "DMARC check failed", results: summary };
  // A DMARC pass without header.from is taken as the receiver's verdict on the message's (single) From.
  if (passes("dmarc").some((e) => e.props["header.from"] === undefined || aligned(e.props["header.from"], fromDomain)))
    return { ok: true, checked: true, results: summary };
  if (passes("dkim").some((e) => aligned(e.props["header.d"] ?? e.props["header.i"], fromDomain))) return { ok: true, checked: true, results: summary };
  if (passes("spf").some((e) => aligned(e.props["smtp.mailfrom"], fromDomain))) return { ok: true, checked: true, results: summary };
  return { ok: false, reason: `no DMARC pass, and no DKIM or SPF pass aligned with ${fromDomain}`, results: summary };
}
