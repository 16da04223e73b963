/** What a user types to name one of the gateway's things (a channel, job, bridge, token): its id, or failing that its name. */
import { CliError } from "./errors";

export interface RefWords {
  /** One of them, in messages: "channel", "API token". */
  one: string;
  /** Several: "channels", "tokens". */
  many: string;
  /** The command that lists them, for the hint: "channels list". */
  list: string;
}

/** The item whose id is `ref`, else the only one named `ref`; several with that name or none is a CliError saying what to type instead. */
export function pickByRef<T extends { id: string; name: string | null }>(items: readonly T[], ref: string, words: RefWords): T {
  const byId = items.find((item) => item.id === ref);
  if (byId) return byId;
  const byName = items.filter((item) => item.name === ref);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new CliError(`${byName.length} ${words.many} are named "${ref}"`, `use the id: ${byName.map((item) => item.id).join(", ")}`);
  throw new CliError(`no ${words.one} with id or name "${ref}"`, `see \`loopgate ${words.list}\``);
}
