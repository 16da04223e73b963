/**
 * Who may talk to a channel's agent (pipeline stage 4): paired senders (an admin approves a
 * pairing code), an allowlist, anyone, or nobody. The one list of policies; the D1 column, the
 * API schema, the CLI and the trust tiers all use it.
 */
export const SENDER_POLICIES = ["pairing", "allowlist", "open", "disabled"] as const;
export type SenderPolicy = (typeof SENDER_POLICIES)[number];

/**
 * Sender ids that the platform does not vouch for (an IRC nick without a services account) start
 * with this: whoever holds the name next would be the same sender, so they are never paired or
 * allowlisted, and only open channels answer them (as public senders).
 */
export const UNVERIFIED_SENDER_PREFIX = "unverified:";

export const isUnverifiedSender = (senderId: string) => senderId.startsWith(UNVERIFIED_SENDER_PREFIX);
