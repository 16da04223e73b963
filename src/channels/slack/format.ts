/**
 * Slack's text formats (stage 1 and 8). Slack escapes `&`, `<` and `>` in what it sends and
 * expects the same in what it receives, since `<...>` is its markup for links and mentions.
 * Replies are converted from the agent's Markdown to mrkdwn.
 * https://api.slack.com/reference/surfaces/formatting#escaping
 */
import { outsideCode, starMarkupProse } from "../shared/star-markup";

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

/** Converts a Markdown reply to escaped mrkdwn; code spans and fenced blocks are escaped but not formatted. */
export function toSlackMrkdwn(markdown: string): string {
  return outsideCode(
    markdown,
    (text) => starMarkupProse(escapeSlack(text)),
    (code) => escapeSlack(code.replace(/^```[\w+-]*\n/, "```")),
  );
}
