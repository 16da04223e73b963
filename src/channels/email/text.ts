/**
 * What the agent reads of an e-mail: the new text only. Replies carry the whole earlier
 * thread as quoted history and most carry a signature; both would grow every turn and
 * repeat what the conversation history already holds, so they are cut here.
 */

/** A line that introduces quoted history ("On Mon, Ann wrote:", Outlook's separators, ...). */
const QUOTE_HEADERS: readonly RegExp[] = [
  /^-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|message d'origine)\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
  /^(on|am|le|el|il|op)\s.{1,400}\s(wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s*:\s*$/i,
  // German clients put the name after the verb: "Am <date> schrieb <name>:".
  /^am\s.{1,200}\sschrieb\s.{1,200}:\s*$/i,
];

/** Mobile and webmail footers that are signatures without a delimiter. */
const SIGNATURE_LINES: readonly RegExp[] = [/^sent from my \S.{0,60}$/i, /^get outlook for \S.{0,40}$/i, /^sent from (mail|outlook) for .{1,40}$/i];

function isOutlookHeaderBlock(lines: readonly string[], i: number): boolean {
  if (!/^\*?from:\*?\s/i.test(lines[i] ?? "")) return false;
  return lines.slice(i + 1, i + 5).some((l) => /^\*?(sent|date|to|subject):\*?\s/i.test(l));
}

/** Index of the first line that starts quoted history or a signature, or the line count. */
function cutIndex(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    const trimmed = line.trim();
    if (line === "--" || lines[i] === "-- ") return i;
    if (SIGNATURE_LINES.some((re) => re.test(trimmed))) return i;
    if (QUOTE_HEADERS.some((re) => re.test(trimmed))) return i;
    // "On <date>, <name> <address>" often wraps before "wrote:".
    const joined = `${trimmed} ${(lines[i + 1] ?? "").trim()}`;
    if (/^(on|am|le)\s/i.test(trimmed) && QUOTE_HEADERS[2]!.test(joined)) return i;
    if (isOutlookHeaderBlock(lines, i)) return i;
  }
  return lines.length;
}

/** The new text of a plain-text e-mail body, without quoted history or signature. */
export function stripQuotedText(body: string): string {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const kept = lines.slice(0, cutIndex(lines)).filter((l) => !/^\s*>/.test(l));
  return kept
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
