/**
 * For platforms that render no markup at all (LINE text messages, Twitch chat) (stage 8): the
 * agent's Markdown becomes plain text a person reads comfortably, emphasis markers dropped,
 * links as `label (url)`, list bullets as `•`, code fences removed but their content verbatim.
 */

function prose(text: string): string {
  return text
    .split("\n")
    .map((line) =>
      line
        .replace(/^#{1,6}\s+/, "")
        .replace(/^(\s*)[-*+]\s+/, "$1• ")
        .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, "$1 ($2)")
        .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "$1")
        .replace(/__(?=\S)([^_\n]*?\S)__/g, "$1")
        .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, "$1$2")
        .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "$1"),
    )
    .join("\n");
}

/** Markdown → plain text; code keeps its exact characters. */
export function markdownToPlainText(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]+`)/)
    .map((part, i) => {
      if (i % 2 === 0) return prose(part);
      if (part.startsWith("```")) return part.replace(/^```[\w+-]*\n?/, "").replace(/\n?```$/, "");
      return part.slice(1, -1);
    })
    .join("")
    .trim();
}
