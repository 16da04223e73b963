/**
 * Who is talking decides what the agent may do for them. Three tiers: `admin` (the gateway's
 * own admins, via web chat), `paired` (senders a channel's pairing or allowlist admitted) and
 * `public` (anyone on an open channel, and every e-mail sender: a From header proves nothing).
 */
import type { SenderPolicy } from "../lib/sender-policy";

export type TrustTier = "admin" | "paired" | "public";

/** Channel types whose sender identity is not authenticated by the platform. */
const UNAUTHENTICATED_TYPES = new Set(["email", "imap"]);

export function trustTier(channelType: string, policy: SenderPolicy): TrustTier {
  if (channelType === "web") return "admin";
  if (UNAUTHENTICATED_TYPES.has(channelType)) return "public";
  return policy === "open" ? "public" : "paired";
}
