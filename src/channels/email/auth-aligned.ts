/**
 * Strict sender authentication for mailboxes read over IMAP (the bridged e-mail channel): the
 * From header is whatever the sender typed, so when the admin names the receiving server's
 * authserv-id, a message counts only if that server's topmost Authentication-Results header
 * (RFC 8601) shows DMARC pass, or a DKIM or SPF pass for a domain aligned with the From domain
 * (RFC 7489 §3.1, relaxed alignment approximated without a public-suffix list). No such header,
 * or nothing aligned: rejected (fail closed).
 */
import type { MailHeader } from "./auth";

/** One `method=result prop=value ...` clause of an Authentication-Results header. */
export interface AuthClause {
  method: string;
  result: string;
  /** ptype.property → value, e.g. `header.d` → `example.org`. */
  props: Record<string, string>;
}

export type AlignedVerdict = { ok: true; via: string } | { ok: false; reason: string };

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

/** Parses `authserv-id [version]; clause; clause` (comments removed, quoted values unquoted). */
export function parseAuthClauses(value: string): { authServId: string; clauses: AuthClause[] } | null {
  const parts = stripComments(value)
    .split(";")
    .map((p) => p.trim());
  const authServId = (parts.shift() ?? "").split(/\s+/)[0]?.toLowerCase() ?? "";
  if (!authServId) return null;
  const clauses: AuthClause[] = [];
  for (const part of parts) {
    const m = /^([a-z0-9_.-]+)\s*=\s*([a-z]+)(.*)$/is.exec(part);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const p of m[3]!.matchAll(/([a-z0-9_-]+\.[a-z0-9_-]+)\s*=\s*("[^"]*"|\S+)/gi)) props[p[1]!.toLowerCase()] = p[2]!.replace(/^"|"$/g, "").toLowerCase();
    clauses.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props });
  }
  return { authServId, clauses };
}

/** The domain part of an address or a bare domain, lower case. */
function domainOf(value: string | undefined): string {
  if (!value) return "";
  return (value.includes("@") ? value.slice(value.lastIndexOf("@") + 1) : value).replace(/[>\s]/g, "").toLowerCase();
}

/** Relaxed alignment: the same domain, or the From domain under the authenticated one (never a bare TLD). */
export function aligned(authenticated: string, fromDomain: string): boolean {
  if (!authenticated || !fromDomain || !authenticated.includes(".")) return false;
  return fromDomain === authenticated || fromDomain.endsWith(`.${authenticated}`);
}

export function checkAlignedAuthentication(headers: readonly MailHeader[], trustedAuthServId: string, fromAddress: string): AlignedVerdict {
  const trusted = trustedAuthServId.toLowerCase();
  // Receiving servers prepend their header, so the first one with the trusted id is the server's
  // own; anything the sender forged with that id sits below it and is never read.
  const header = headers.filter((h) => h.key === "authentication-results").find((h) => parseAuthClauses(h.value)?.authServId === trusted);
  if (!header) return { ok: false, reason: `no Authentication-Results from ${trusted}` };
  const clauses = parseAuthClauses(header.value)?.clauses ?? [];
  const fromDomain = domainOf(fromAddress);
  const passes = (method: string) => clauses.filter((c) => c.method === method && c.result === "pass");
  if (clauses.some((c) => c.method === "dmarc" && c.result === "fail")) return { ok: false, reason: "DMARC check failed" };
  for (const c of passes("dmarc")) {
    const checkedFrom = c.props["header.from"];
    if (!checkedFrom || checkedFrom === fromDomain) return { ok: true, via: "dmarc" };
  }
  for (const c of passes("dkim")) if (aligned(domainOf(c.props["header.d"] ?? c.props["header.i"]), fromDomain)) return { ok: true, via: "dkim" };
  for (const c of passes("spf")) if (aligned(domainOf(c.props["smtp.mailfrom"]), fromDomain)) return { ok: true, via: "spf" };
  return { ok: false, reason: `no DMARC pass and no DKIM or SPF pass aligned with ${fromDomain || "the From domain"}` };
}
