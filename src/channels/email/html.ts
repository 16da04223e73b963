/**
 * An HTML-only e-mail as the text the agent reads (before quote stripping in text.ts):
 * markup, styles and scripts gone, blocks and line breaks kept as lines, entities decoded.
 * Quoted history in <blockquote> becomes "> " lines, which text.ts then drops like any quote.
 * postal-mime fills `text` only from a text/plain part, so this covers the rest.
 */
import { htmlEntities } from "../../lib/html4-entities/html-entities";

/**
 * Named references by HTML 4's table (the one the Worker's postal-mime uses too): Latin-1 letters,
 * typography, Greek, arrows and symbols. Looked up as written (`&Eacute;` and `&eacute;` differ),
 * then in lower case for a sender that shouts (`&NBSP;`); any other name stays as written.
 */
function namedEntity(name: string): string | undefined {
  return htmlEntities[`&${name};`] ?? htmlEntities[`&${name.toLowerCase()};`];
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,7});/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return namedEntity(name) ?? whole;
  });
}

/** Marks every line inside <blockquote> with "> ", innermost first so nesting adds markers. */
function quoteBlockquotes(html: string): string {
  let out = html;
  for (let i = 0; i < 20 && /<blockquote\b/i.test(out); i++) {
    const next = out.replace(
      /<blockquote\b[^>]*>((?:(?!<blockquote\b)[\s\S])*?)<\/blockquote>/gi,
      (_m, inner: string) => `\n${htmlLines(inner).replace(/^/gm, "> ")}\n`,
    );
    if (next === out) break;
    out = next;
  }
  return out;
}

function htmlLines(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n* ")
    .replace(/<\/?(p|div|tr|table|ul|ol|h[1-6]|pre|section|article|header|footer|hr)\b[^>]*>/gi, "\n\n")
    .replace(/<\/t[dh]>/gi, " ")
    .replace(/<[^>]*>/g, "");
}

export function htmlToText(html: string): string {
  const withoutNoise = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, "")
    // Source line breaks mean nothing in HTML; only markup breaks lines.
    .replace(/\s*\r?\n\s*/g, " ");
  return decodeEntities(htmlLines(quoteBlockquotes(withoutNoise)))
    .split("\n")
    .map((l) => l.replace(/[ \t\u00a0]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
