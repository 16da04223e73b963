/**
 * The reply's text from the model's content blocks (stage 7, before the channel formats it).
 * With server tools an answer arrives as many text blocks around `server_tool_use` and result
 * blocks, some carrying citations; a paused turn (`pause_turn`) spreads it over several
 * messages. Text blocks that follow each other are one run of prose and are joined as they
 * are; a tool block between two of them starts a new paragraph. Cited text gets `[n]` markers
 * and the reply ends with a numbered Markdown list of its sources, which every channel then
 * renders in its own format (links in Telegram HTML, Slack mrkdwn, `label (url)` in plain text).
 */
import type { ContentBlock, TextCitation } from "@anthropic-ai/sdk/resources/messages";

interface Source {
  url: string;
  title: string;
}

/** Pages the web fetch tool returned in these blocks, in order, by URL and title. */
function fetchedPages(blocks: readonly ContentBlock[]): Source[] {
  const pages: Source[] = [];
  for (const b of blocks) {
    if (b.type !== "web_fetch_tool_result") continue;
    const c = b.content as { type?: string; url?: string; content?: { title?: string | null } };
    if (c.type === "web_fetch_result" && typeof c.url === "string") pages.push({ url: c.url, title: c.content?.title || c.url });
  }
  return pages;
}

/** Where a citation points: a search result carries its URL; a fetched document is found by its title. */
function sourceOf(c: TextCitation, pages: readonly Source[]): Source | null {
  if (c.type === "web_search_result_location") return { url: c.url, title: c.title || c.url };
  if (c.type === "char_location" || c.type === "page_location" || c.type === "content_block_location") {
    const byTitle = c.document_title ? pages.find((p) => p.title === c.document_title) : undefined;
    return byTitle ?? (pages.length === 1 ? pages[0]! : null);
  }
  return null;
}

/** Markdown link text cannot hold brackets or line breaks. */
function linkLabel(title: string): string {
  return (
    title
      .replace(/[[\]\n\r]+/g, " ")
      .trim()
      .slice(0, 200) || "source"
  );
}

export function replyText(blocks: readonly ContentBlock[]): string {
  const pages = fetchedPages(blocks);
  const sources: Source[] = [];
  let text = "";
  let brokenByTool = false;
  for (const b of blocks) {
    if (b.type !== "text") {
      if (text) brokenByTool = true;
      continue;
    }
    if (brokenByTool && b.text.trim()) {
      text = `${text.trimEnd()}\n\n${b.text.trimStart()}`;
      brokenByTool = false;
    } else text += b.text;
    const cited = new Set<number>();
    for (const c of b.citations ?? []) {
      const s = sourceOf(c, pages);
      if (!s) continue;
      let n = sources.findIndex((x) => x.url === s.url);
      if (n < 0) n = sources.push(s) - 1;
      cited.add(n + 1);
    }
    if (cited.size) text += ` ${[...cited].map((n) => `[${n}]`).join("")}`;
  }
  text = text.trim();
  if (!sources.length) return text;
  return `${text}\n\nSources:\n${sources.map((s, i) => `${i + 1}. [${linkLabel(s.title)}](${s.url})`).join("\n")}`;
}
