/**
 * Replies in Google Chat (stage 8). Chat's text format is its own: *bold*, _italic_, ~strike~,
 * `code`, ``` blocks and <url|label> links, so the agent's Markdown is converted; a reply with a
 * table goes out as a Card v2 (header, text paragraphs and a grid per table).
 * https://developers.google.com/workspace/chat/format-messages
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/cards
 */
import { parseStructuredReply } from "../shared/structured-reply";

function prose(text: string): string {
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

/** Markdown to Chat's text format; code spans and blocks pass unchanged. */
export function toChatText(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? part.replace(/^```[\w+-]*\n/, "```\n") : prose(part)))
    .join("");
}

type Widget = Record<string, unknown>;

/** Card v2 for a reply with a table; null when text serves it. */
export function chatCardFor(markdown: string, cardId: string): Record<string, unknown> | null {
  const reply = parseStructuredReply(markdown);
  if (!reply) return null;
  const widgets: Widget[] = reply.blocks.map((block) =>
    block.kind === "text"
      ? { textParagraph: { text: toChatText(block.markdown) } }
      : {
          grid: {
            columnCount: Math.min(block.header.length, 8),
            items: [...block.header.map((h) => ({ title: `*${h}*` })), ...block.rows.flat().map((cell) => ({ title: cell || " " }))],
          },
        },
  );
  return { cardId, card: { ...(reply.title ? { header: { title: reply.title } } : {}), sections: [{ widgets }] } };
}

/** The message body for one chunk: Chat text, or a card with the text as its fallback. */
export function chatMessageBody(markdown: string, cardId: string, threadName?: string): Record<string, unknown> {
  const card = chatCardFor(markdown, cardId);
  const thread = threadName ? { thread: { name: threadName } } : {};
  return card ? { cardsV2: [card], fallbackText: markdown.slice(0, 200), ...thread } : { text: toChatText(markdown), ...thread };
}
