/**
 * Replies for the Discord gateway channel (stage 8). Discord renders the agent's Markdown
 * itself, so plain replies go out as `content`. A structured reply (one that opens with a
 * Markdown heading) becomes an embed: the heading is its title and `##` sections become fields
 * when they fit Discord's limits, otherwise the text is the description.
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */

export const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, total: 6000 } as const;
/** Loopgate's accent, as Discord's integer colour. */
const EMBED_COLOR = 0x4f7cff;

export interface DiscordEmbed {
  title: string;
  description?: string;
  fields?: { name: string; value: string }[];
  color: number;
}

export interface DiscordReplyBody {
  content?: string;
  embeds?: DiscordEmbed[];
  /** The agent may not ping @everyone, roles or users by writing their mention. */
  allowed_mentions: { parse: string[]; replied_user: boolean };
  message_reference?: { message_id: string; fail_if_not_exists: boolean };
}

function sections(body: string): { name: string; value: string }[] | null {
  const parts = body.split(/^##\s+(.+)$/m);
  if (parts.length < 3 || (parts[0] ?? "").trim() !== "") return null;
  const fields: { name: string; value: string }[] = [];
  for (let i = 1; i < parts.length; i += 2) fields.push({ name: (parts[i] ?? "").trim(), value: (parts[i + 1] ?? "").trim() });
  const fits = fields.every((f) => f.name.length <= EMBED_LIMITS.fieldName && f.value.length > 0 && f.value.length <= EMBED_LIMITS.fieldValue);
  return fits && fields.length <= EMBED_LIMITS.fields ? fields : null;
}

/** An embed for a reply that opens with `# Title` (or `## Title`), or null for a plain reply. */
export function structuredEmbed(text: string): DiscordEmbed | null {
  const heading = /^#{1,2}\s+(.+)\n+([\s\S]+)$/.exec(text.trim());
  if (!heading) return null;
  const title = (heading[1] ?? "").trim();
  const body = (heading[2] ?? "").trim();
  if (title.length > EMBED_LIMITS.title || body.length > EMBED_LIMITS.description || title.length + body.length > EMBED_LIMITS.total) return null;
  const fields = sections(body);
  return fields ? { title, fields, color: EMBED_COLOR } : { title, description: body, color: EMBED_COLOR };
}

export function discordReplyBody(text: string, quoteMessageId?: string): DiscordReplyBody {
  const embed = structuredEmbed(text);
  return {
    ...(embed ? { embeds: [embed] } : { content: text }),
    allowed_mentions: { parse: [], replied_user: false },
    ...(quoteMessageId ? { message_reference: { message_id: quoteMessageId, fail_if_not_exists: false } } : {}),
  };
}
