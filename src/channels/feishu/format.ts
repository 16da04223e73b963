/**
 * Replies in Feishu/Lark (stage 8). Plain replies are `post` messages with one `md` element, which
 * renders bold, italic, strike-through, links, lists, quotes and code blocks but not headings
 * (made bold here); a reply with a table is an interactive card with markdown and `table`
 * components.
 * https://open.feishu.cn/document/server-docs/im-v1/message-content-description/create_json
 */
import { parseStructuredReply } from "../shared/structured-reply";

export function toLarkMarkdown(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/^#{1,6}\s+(.+)$/gm, "**$1**")))
    .join("");
}

/** msg_type and content for one chunk of a reply. */
export function larkReply(markdown: string): { msgType: "post" | "interactive"; content: Record<string, unknown> } {
  const reply = parseStructuredReply(markdown);
  if (!reply) return { msgType: "post", content: { zh_cn: { content: [[{ tag: "md", text: toLarkMarkdown(markdown) }]] } } };
  const elements = reply.blocks.map((block) =>
    block.kind === "text"
      ? { tag: "markdown", content: toLarkMarkdown(block.markdown) }
      : {
          tag: "table",
          page_size: Math.min(Math.max(block.rows.length, 1), 10),
          columns: block.header.map((h, i) => ({ name: `c${i}`, display_name: h, data_type: "text" })),
          rows: block.rows.map((r) => Object.fromEntries(r.map((cell, i) => [`c${i}`, cell]))),
        },
  );
  return {
    msgType: "interactive",
    content: {
      config: { wide_screen_mode: true },
      ...(reply.title ? { header: { title: { tag: "plain_text", content: reply.title } } } : {}),
      elements,
    },
  };
}
