/**
 * IRC's line limit: a message is at most 512 bytes including the sender prefix the server
 * adds when relaying it, the command, the target and CRLF. Replies are split into lines that
 * fit, at line breaks first, then between words, never inside a UTF-8 character.
 */
export const IRC_LINE_BYTES = 512;
/** The rest of the `:nick!~user@host ` prefix a server puts in front when relaying: `:`, `!`, `~` + a 10-char user, `@`, a 63-byte host, a space. */
const RELAY_PREFIX_SLACK = 1 + 1 + 11 + 1 + 63 + 1;

const utf8 = new TextEncoder();
const bytes = (s: string) => utf8.encode(s).length;

/** Bytes left for the text of a `PRIVMSG <target> :<text>` sent by `nick`. */
export function privmsgTextBudget(nick: string, target: string): number {
  return IRC_LINE_BYTES - 2 - RELAY_PREFIX_SLACK - bytes(nick) - bytes(`PRIVMSG ${target} :`);
}

export function splitIrcMessage(text: string, maxBytes: number): string[] {
  if (maxBytes < 8) throw new Error("line budget too small");
  const out: string[] = [];
  for (const rawLine of text.replace(/\r\n?/g, "\n").split("\n")) {
    // Control characters other than IRC formatting would end or corrupt the line.
    let rest = rawLine.replace(/[\0\r\n]/g, "").trimEnd();
    if (!rest.trim()) continue;
    while (bytes(rest) > maxBytes) {
      const cut = cutAt(rest, maxBytes);
      out.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    if (rest) out.push(rest);
  }
  return out;
}

/** Index (in UTF-16 units) of the best cut so that `s.slice(0, cut)` fits in maxBytes. */
function cutAt(s: string, maxBytes: number): number {
  let used = 0;
  let hard = 0;
  for (const ch of s) {
    const size = bytes(ch);
    if (used + size > maxBytes) break;
    used += size;
    hard += ch.length;
  }
  const space = s.lastIndexOf(" ", hard);
  // Prefer a word boundary unless it would waste most of the line.
  return space > hard / 2 ? space : hard;
}
