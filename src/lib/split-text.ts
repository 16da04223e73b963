/**
 * Splits a reply into chunks a platform accepts (stage 8). Cuts at the last paragraph break in
 * the allowed length, else the last line break, else the end of the last sentence, else the last
 * space, as long as that keeps at least half the chunk; only unbroken text is cut hard, and never
 * inside a surrogate pair.
 */

/** Where a sentence ends: terminal punctuation (closing quotes or brackets may follow) and a space; CJK full stops need none. */
const SENTENCE_END = /[.!?…][)"'’”\]]*\s|[。！？]/g;

function lastSentenceEnd(window: string): number {
  let end = -1;
  for (const m of window.matchAll(SENTENCE_END)) end = m.index + m[0].trimEnd().length;
  return end;
}

export function splitText(text: string, maxLength: number): string[] {
  if (maxLength < 1) throw new Error("maxLength must be positive");
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > maxLength) {
    const window = rest.slice(0, maxLength);
    const enough = (cut: number) => cut >= maxLength / 2;
    let cut = [window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), lastSentenceEnd(window), window.lastIndexOf(" ")].find(enough) ?? maxLength;
    const code = rest.charCodeAt(cut - 1);
    if (cut === maxLength && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}
