/**
 * The agent's Markdown as the HTML subset Matrix clients render in `formatted_body`
 * (`org.matrix.custom.html`): bold, italics, strike-through, inline code, fenced code blocks,
 * links, headings, bullet lists and line breaks. Everything else is escaped text. Returns null
 * when the text has no markup, so plain answers go out as `body` alone.
 * https://spec.matrix.org/v1.12/client-server-api/#mroommessage-msgtypes
 */

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function inline(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) => {
      if (i % 2 === 1) return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      return escapeHtml(part)
        .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)"]+)\)/g, '<a href="$2">$1</a>')
        .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "<strong>$1</strong>")
        .replace(/__(?=\S)([^_\n]*?\S)__/g, "<strong>$1</strong>")
        .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, "$1<em>$2</em>")
        .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "<del>$1</del>");
    })
    .join("");
}

function prose(text: string): string {
  const out: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (list.length > 0) out.push(`<ul>${list.map((li) => `<li>${li}</li>`).join("")}</ul>`);
    list = [];
  };
  for (const line of text.split("\n")) {
    const item = /^\s*[-*+]\s+(.+)$/.exec(line);
    if (item?.[1]) {
      list.push(inline(item[1]));
      continue;
    }
    flush();
    const heading = /^(#{1,6})\s+(.+)$/.exec(line);
    out.push(heading?.[1] && heading[2] ? `<h${heading[1].length}>${inline(heading[2])}</h${heading[1].length}>` : inline(line));
  }
  flush();
  return out
    .join("<br>")
    .replace(/<br>(<(?:ul|h\d)>)/g, "$1")
    .replace(/(<\/(?:ul|h\d)>)<br>/g, "$1");
}

export function markdownToMatrixHtml(markdown: string): string | null {
  const html = markdown
    .split(/(```[^\n]*\n[\s\S]*?```)/)
    .map((part, i) => {
      if (i % 2 === 0) return prose(part);
      const [, lang, code] = /^```([^\n]*)\n([\s\S]*?)```$/.exec(part) ?? [];
      const cls = lang?.trim() ? ` class="language-${escapeHtml(lang.trim())}"` : "";
      return `<pre><code${cls}>${escapeHtml(code ?? "")}</code></pre>`;
    })
    .join("");
  return html === escapeHtml(markdown).replaceAll("\n", "<br>") ? null : html;
}
