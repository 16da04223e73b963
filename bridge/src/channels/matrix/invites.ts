/**
 * Whose invitations the bot accepts (before anything reaches the pipeline): the users and
 * servers listed in `inviters`, or, when none are listed, the users of the bot's own
 * homeserver. The inviter is the sender of the bot's invite membership event, which the
 * homeserver authenticated; the room's other members do not matter.
 */
import type { MatrixConfig } from "../../../../src/channels/matrix";

/** The server name of a user id: everything after the first colon (it may carry a port). */
export function serverOf(userId: string): string {
  return userId.slice(userId.indexOf(":") + 1).toLowerCase();
}

export function inviteAllowed(inviter: string, config: Pick<MatrixConfig, "userId" | "inviters">): boolean {
  if (!inviter.startsWith("@") || !inviter.includes(":")) return false;
  const allowed = config.inviters && config.inviters.length > 0 ? config.inviters : [serverOf(config.userId)];
  return allowed.some((entry) => (entry.startsWith("@") ? entry === inviter : entry.toLowerCase() === serverOf(inviter)));
}
