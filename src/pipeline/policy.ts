/** Pipeline stage 4: what the channel's sender policy says about this sender, before pairing. */
import type { SenderPolicy } from "./channel-store";

/**
 * Sender ids that the platform does not vouch for (an IRC nick without a services account) start
 * with this: whoever holds the name next would be the same sender, so they are never paired or
 * allowlisted, and only open channels answer them (as public senders).
 */
export const UNVERIFIED_SENDER_PREFIX = "unverified:";

export const isUnverifiedSender = (senderId: string) => senderId.startsWith(UNVERIFIED_SENDER_PREFIX);

export type PolicyVerdict = "allow" | "needs-pairing" | "not_allowed" | "disabled";

export function policyVerdict(policy: SenderPolicy, allowlist: readonly string[], senderId: string): PolicyVerdict {
  if (isUnverifiedSender(senderId) && (policy === "pairing" || policy === "allowlist")) return "not_allowed";
  switch (policy) {
    case "disabled":
      return "disabled";
    case "open":
      return "allow";
    case "allowlist":
      return allowlist.includes(senderId) ? "allow" : "not_allowed";
    case "pairing":
      // An allowlisted sender on a pairing channel needs no code.
      return allowlist.includes(senderId) ? "allow" : "needs-pairing";
  }
}
