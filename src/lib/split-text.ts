/**
 * Splits a reply into chunks a platform accepts (stage 8). Prefers paragraph, then line,
 * then word boundaries; never cuts a surrogate pair.
 */
export function splitText(text: string, maxLength: number): string[] {
  if (maxLength < 1) throw new Error("maxLength must be positive");
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > maxLength) {
    const window = rest.slice(0, maxLength);
    let cut = Math.max(window.lastIndexOf("\n\n"), window.lastIndexOf("\n"));
    if (cut < maxLength / 2) cut = window.lastIndexOf(" ");
    if (cut < maxLength / 2) cut = maxLength;
    const code = rest.charCodeAt(cut - 1);
    if (cut === maxLength && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}
