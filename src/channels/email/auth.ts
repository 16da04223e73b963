/**
 * E-mail sender authentication (part of stage 1 for the e-mail channel): reads the SPF, DKIM
 * and DMARC results that the receiving server (Cloudflare Email Routing) wrote into
 * Authentication-Results or ARC-Authentication-Results (RFC 8601, RFC 8617). Only results
 * stamped by the trusted authserv-id count: a sender can forge any header added before ours.
 */

/** One header of the message, as postal-mime lists them (lowercase key, top to bottom). */
export interface MailHeader {
  key: string;
  value: string;
}

export type AuthVerdict =
  /** `checked` is false when no result from the trusted server was present. */
  { ok: true; checked: boolean; results: Record<string, string> } | { ok: false; reason: string; results: Record<string, string> };

interface ParsedResults {
  authServId: string;
  /** ARC instance (`i=`), 0 for a plain Authentication-Results header. */
  instance: number;
  results: Record<string, string[]>;
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
  for (const part of parts) {
    const m = /^([a-z0-9_.-]+)\s*=\s*([a-z]+)/i.exec(part);
    if (!m) continue;
    const method = m[1]!.toLowerCase();
    (results[method] ??= []).push(m[2]!.toLowerCase());
  }
  return { authServId, instance, results };
}

/**
 * The results the trusted server recorded: its topmost Authentication-Results header, or
 * failing that its most recent ARC-Authentication-Results instance.
 */
export function trustedResults(headers: readonly MailHeader[], trustedAuthServId: string): ParsedResults | null {
  const trusted = trustedAuthServId.toLowerCase();
  for (const h of headers) {
    if (h.key !== "authentication-results") continue;
    const parsed = parseAuthResults(h.value, false);
    if (parsed?.authServId === trusted) return parsed;
  }
  let best: ParsedResults | null = null;
  for (const h of headers) {
    if (h.key !== "arc-authentication-results") continue;
    const parsed = parseAuthResults(h.value, true);
    if (parsed?.authServId === trusted && (!best || parsed.instance > best.instance)) best = parsed;
  }
  return best;
}

/**
 * DMARC decides when it was evaluated. Without it, the message fails when SPF or DKIM
 * failed outright and nothing else passed (a forwarded message breaks SPF but keeps DKIM).
 */
export function checkAuthentication(headers: readonly MailHeader[], trustedAuthServId: string): AuthVerdict {
  const parsed = trustedResults(headers, trustedAuthServId);
  if (!parsed) return { ok: true, checked: false, results: {} };
  const r = parsed.results;
  const summary = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.join(",")]));
  const has = (method: string, result: string) => (r[method] ?? []).includes(result);
  if (has("dmarc", "fail")) return { ok: false, reason: "DMARC check failed", results: summary };
  if (has("dmarc", "pass")) return { ok: true, checked: true, results: summary };
  const dkimPass = has("dkim", "pass");
  const spfPass = has("spf", "pass");
  if (has("spf", "fail") && !dkimPass) return { ok: false, reason: "SPF check failed and no valid DKIM signature", results: summary };
  if (has("dkim", "fail") && !dkimPass && !spfPass) return { ok: false, reason: "DKIM check failed and SPF did not pass", results: summary };
  return { ok: true, checked: true, results: summary };
}
