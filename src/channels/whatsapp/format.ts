/**
 * Reply formatting for WhatsApp (stage 8): the agent writes Markdown, WhatsApp reads its own
 * markup (*bold*, _italic_, ~strike~, ```code```). Only shrinks text, so a chunk split at
 * the 4096-character limit stays within it.
 */

export const WHATSAPP_MAX_TEXT = 4096;

export function toWhatsAppText(markdown: string): string {
  // Code blocks pass through untouched; formatting applies to the prose between them.
  return markdown
    .split(/(```[\s\S]*?```)/g)
    .map((part, i) => (i % 2 === 1 ? part.replace(/^```[^\n]*\n/, "```") : formatProse(part)))
    .join("");
}

function formatProse(text: string): string {
  return text
    .replace(/^#{1,6}\s+(.+?)\s*#*$/gm, "*$1*")
    .replace(/\*\*(.+?)\*\*/g, "*$1*")
    .replace(/__(.+?)__/g, "*$1*")
    .replace(/~~(.+?)~~/g, "~$1~")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, "$1 ($2)")
    .replace(/^(\s*)[-*]\s+/gm, "$1• ");
}
