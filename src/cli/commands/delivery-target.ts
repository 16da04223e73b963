/** `--deliver-to CHANNEL:RECIPIENT` for jobs and tasks: a channel (id or name) and who on it. */
import type { Gateway } from "../connection";
import { usageError } from "../errors";
import { findChannel } from "./channels";

export async function deliveryTarget(gw: Gateway, flag: string, raw: string | undefined): Promise<{ channelId: string; recipient: string } | undefined> {
  if (raw === undefined) return undefined;
  const colon = raw.indexOf(":");
  if (colon <= 0 || colon === raw.length - 1)
    throw usageError(
      `--${flag} needs CHANNEL:RECIPIENT, got "${raw}"`,
      `e.g. --${flag} ops:alice (the channel's id or name, then the sender id on that platform)`,
    );
  const channel = await findChannel(gw, raw.slice(0, colon));
  return { channelId: channel.id, recipient: raw.slice(colon + 1) };
}
