/**
 * The slash commands a Discord channel registers (setup, PUT /applications/{id}/commands) and
 * how an invocation becomes the text the pipeline sees: `/ask prompt` is the prompt itself,
 * `/pair code` is the pairing stage's `/pair CODE`.
 * https://discord.com/developers/docs/interactions/application-commands
 */

/** Application command option type 3 is STRING, 11 ATTACHMENT; command type 1 is CHAT_INPUT (a slash command). */
export const DISCORD_COMMANDS = [
  {
    name: "ask",
    type: 1,
    description: "Ask the agent",
    options: [
      { type: 3, name: "prompt", description: "What you want to ask", required: true, max_length: 6000 },
      { type: 11, name: "file", description: "A picture, PDF, text file or voice recording for the agent", required: false },
    ],
  },
  {
    name: "pair",
    type: 1,
    description: "Pair with a code from the gateway's admin",
    options: [{ type: 3, name: "code", description: "The pairing code", required: true, max_length: 20 }],
  },
] as const;

export interface CommandOption {
  name: string;
  type: number;
  value?: unknown;
}

/** The pipeline text for a known command, or null for a command this app does not define. */
export function commandText(name: string, options: CommandOption[] = []): string | null {
  const value = (option: string) => {
    const v = options.find((o) => o.name === option)?.value;
    return typeof v === "string" ? v.trim() : "";
  };
  if (name === "ask") return value("prompt") || null;
  if (name === "pair") return `/pair ${value("code")}`;
  return null;
}
