/**
 * Replies in Teams (stage 8). Teams renders a Markdown subset in message text (bold, italic,
 * strike-through, lists, links, code, quotes) but no headings or tables: headings become bold
 * lines, and a reply with a table goes out as an Adaptive Card (1.5, whose Table element Teams
 * renders) with the text around it.
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format
 */
import { parseStructuredReply } from "../shared/structured-reply";

/** Markdown as Teams renders it: `# Heading` becomes `**Heading**`; code blocks are left alone. */
export function toTeamsMarkdown(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/^#{1,6}\s+(.+)$/gm, "**$1**")))
    .join("");
}

type CardElement = Record<string, unknown>;

/** An Adaptive Card for a reply with a table; null when plain text serves it. */
export function adaptiveCardFor(markdown: string): CardElement | null {
  const reply = parseStructuredReply(markdown);
  if (!reply) return null;
  const body: CardElement[] = [];
  if (reply.title) body.push({ type: "TextBlock", text: reply.title, weight: "Bolder", size: "Medium", wrap: true });
  for (const block of reply.blocks) {
    if (block.kind === "text") {
      body.push({ type: "TextBlock", text: toTeamsMarkdown(block.markdown), wrap: true });
      continue;
    }
    const row = (values: string[], header: boolean) => ({
      type: "TableRow",
      ...(header ? { style: "accent" } : {}),
      cells: values.map((v) => ({ type: "TableCell", items: [{ type: "TextBlock", text: v, wrap: true, ...(header ? { weight: "Bolder" } : {}) }] })),
    });
    body.push({
      type: "Table",
      columns: block.header.map(() => ({ width: 1 })),
      firstRowAsHeader: true,
      rows: [row(block.header, true), ...block.rows.map((r) => row(r, false))],
    });
  }
  return { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.5", body };
}

/** The activity for one chunk of a reply: Markdown text, or an Adaptive Card with the text as its fallback. */
export function replyActivity(markdown: string, replyToId?: string): Record<string, unknown> {
  const card = adaptiveCardFor(markdown);
  return {
    type: "message",
    ...(replyToId ? { replyToId } : {}),
    ...(card
      ? { attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: card }], summary: markdown.slice(0, 200) }
      : { text: toTeamsMarkdown(markdown), textFormat: "markdown" }),
  };
}
