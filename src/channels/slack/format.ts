/**
 * Slack's text formats (stage 1 and 8). Slack escapes `&`, `<` and `>` in what it sends and
 * expects the same in what it receives, since `<...>` is its markup for links and mentions.
 * Replies are converted from the agent's Markdown to mrkdwn.
 * https://api.slack.com/reference/surfaces/formatting#escaping
 */

/** Escapes the three characters Slack reserves; nothing else may be escaped. */
export function escapeSlack(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * Inbound text as a person wrote it: the leading @mention that addressed the bot is dropped,
 * links `<url|label>` become `label (url)`, and the three escapes are undone.
 */
export function fromSlackText(text: string, dropLeadingMention: boolean): string {
  let out = dropLeadingMention ? text.replace(/^\s*<@[A-Z0-9]+>\s*/, "") : text;
  out = out.replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, "$2 ($1)").replace(/<((?:https?|mailto):[^>]+)>/g, "$1");
  return out.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&").trim();
}

/** Bold, italic, strike-through and links on escaped prose. Bold is marked first so `**` is not read as italics. */
function prose(escaped: string): string {
  return escaped
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

/** Converts a Markdown reply to escaped mrkdwn; code spans and fenced blocks are escaped but not formatted. */
export function toSlackMrkdwn(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? escapeSlack(part.replace(/^```[\w+-]*\n/, "```")) : prose(escapeSlack(part))))
    .join("");
}
