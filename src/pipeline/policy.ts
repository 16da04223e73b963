/** Pipeline stage 4: what the channel's sender policy says about this sender, before pairing. */
import { isUnverifiedSender, type SenderPolicy } from "../lib/sender-policy";

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
