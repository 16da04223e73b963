/**
 * Replies in Google Chat (stage 8). Chat's text format is its own: *bold*, _italic_, ~strike~,
 * `code`, ``` blocks and <url|label> links, so the agent's Markdown is converted; a reply with a
 * table goes out as a Card v2 (header, text paragraphs and a grid per table).
 * https://developers.google.com/workspace/chat/format-messages
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/cards
 */
import { outsideCode, starMarkupProse } from "../shared/star-markup";
import { parseStructuredReply } from "../shared/structured-reply";

/** Markdown to Chat's text format; code spans and blocks pass unchanged. */
export function toChatText(markdown: string): string {
  return outsideCode(markdown, starMarkupProse, (code) => code.replace(/^```[\w+-]*\n/, "```\n"));
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
