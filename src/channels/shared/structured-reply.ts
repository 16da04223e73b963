/**
 * Finds the structure in a Markdown reply that plain chat text renders badly: tables. Channels
 * with cards (Teams Adaptive Cards, Google Chat Card v2, Feishu interactive cards) send such a
 * reply as a card; any other reply stays text. Stage 8, before the platform's own rendering.
 */

export type ReplyBlock = { kind: "text"; markdown: string } | { kind: "table"; header: string[]; rows: string[][] };

export interface StructuredReply {
  /** A leading Markdown heading, shown as the card's title. */
  title?: string;
  blocks: ReplyBlock[];
}

const DIVIDER = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());
}

/** The reply as title, text and tables; null when it has no table (plain text serves it). */
export function parseStructuredReply(markdown: string): StructuredReply | null {
  const lines = markdown.split("\n");
  const blocks: ReplyBlock[] = [];
  let text: string[] = [];
  let title: string | undefined;
  const flush = () => {
    const joined = text.join("\n").trim();
    if (joined) blocks.push({ kind: "text", markdown: joined });
    text = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const heading = /^#{1,3}\s+(.+)$/.exec(line);
    if (heading && title === undefined && blocks.length === 0 && text.join("").trim() === "") {
      title = heading[1]?.trim();
      continue;
    }
    const next = lines[i + 1] ?? "";
    if (line.includes("|") && DIVIDER.test(next) && next.includes("-")) {
      const header = cells(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && (lines[i] ?? "").includes("|")) rows.push(cells(lines[i++] ?? ""));
      i -= 1;
      flush();
      blocks.push({ kind: "table", header, rows: rows.map((r) => header.map((_, c) => r[c] ?? "")) });
      continue;
    }
    text.push(line);
  }
  flush();
  return blocks.some((b) => b.kind === "table") ? { title, blocks } : null;
}
