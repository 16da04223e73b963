/**
 * Replies for Telegram (stage 8): the agent writes Markdown, Telegram renders its own small
 * HTML subset (parse_mode "HTML"). Everything is escaped first and only well-formed Markdown
 * becomes tags, so whatever the model writes, Telegram can parse the result.
 * https://core.telegram.org/bots/api#html-style
 */

/** Escapes the characters Telegram's HTML parser treats specially (`<`, `>`, `&`, and `"` in attributes). */
export function escapeTelegramHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Bold, italic and strike-through on already-escaped text. */
function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "<b>$1</b>")
    .replace(/(^|[^\w])__(?=\S)([^_\n]*?\S)__(?!\w)/g, "$1<b>$2</b>")
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, "$1<i>$2</i>")
    .replace(/(^|[^\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)/g, "$1<i>$2</i>")
    .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "<s>$1</s>");
}

/** Inline Markdown: links first, so emphasis never reaches inside a URL. */
function inline(escaped: string): string {
  let out = "";
  let last = 0;
  for (const m of escaped.matchAll(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g)) {
    out += emphasis(escaped.slice(last, m.index)) + `<a href="${m[2]}">${emphasis(m[1] ?? "")}</a>`;
    last = m.index + m[0].length;
  }
  return out + emphasis(escaped.slice(last));
}

/** Text outside code: headings become bold lines, the rest gets inline formatting. */
function prose(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const heading = /^#{1,6}\s+(.+)$/.exec(line);
      return heading ? `<b>${inline(escapeTelegramHtml(heading[1] ?? ""))}</b>` : inline(escapeTelegramHtml(line));
    })
    .join("\n");
}

/** Inline code spans (`x`) inside prose; their content is escaped, never formatted. */
function proseWithCode(text: string): string {
  const parts = text.split(/(`[^`\n]+`)/);
  return parts.map((p, i) => (i % 2 === 1 ? `<code>${escapeTelegramHtml(p.slice(1, -1))}</code>` : prose(p))).join("");
}

/**
 * Converts a Markdown reply to Telegram HTML. Fenced code blocks become `<pre><code>`; an
 * unclosed fence (a long reply split mid-block) stays literal text, safely escaped.
 */
export function toTelegramHtml(markdown: string): string {
  let out = "";
  let rest = markdown;
  for (;;) {
    const open = /```([\w+-]*)\n?/.exec(rest);
    if (!open) break;
    const close = rest.indexOf("```", open.index + open[0].length);
    if (close === -1) break;
    out += proseWithCode(rest.slice(0, open.index));
    const code = escapeTelegramHtml(rest.slice(open.index + open[0].length, close).replace(/\n$/, ""));
    out += open[1] ? `<pre><code class="language-${open[1]}">${code}</code></pre>` : `<pre>${code}</pre>`;
    rest = rest.slice(close + 3);
  }
  return out + proseWithCode(rest);
}
