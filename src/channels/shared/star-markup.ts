/**
 * Markdown to the "star" markup Slack (mrkdwn) and Google Chat share: `*bold*`, `_italic_`,
 * `~strike~`, `<url|text>` links, headings as bold lines. Code spans and fenced blocks are
 * handed to `code` untouched by the prose rules.
 */

/** Bold, italic, strike-through and links on one stretch of prose. Bold is marked first so `**` is not read as italics. */
export function starMarkupProse(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const heading = /^#{1,6}\s+(.+)$/.exec(line);
      const body = heading ? `**${heading[1]}**` : line;
      return body
        .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)|]+)\)/g, "<$2|$1>")
        .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "\u0000$1\u0000")
        .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, "$1_$2_")
        .replace(/(^|[^\w])__(?=\S)([^_\n]*?\S)__(?!\w)/g, "$1\u0000$2\u0000")
        .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "~$1~")
        .replaceAll("\u0000", "*");
    })
    .join("\n");
}

/** Applies `prose` outside code and `code` to each code span and fenced block. */
export function outsideCode(markdown: string, prose: (text: string) => string, code: (block: string) => string): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? code(part) : prose(part)))
    .join("");
}
