/**
 * Who may talk to a channel's agent (pipeline stage 4): paired senders (an admin approves a
 * pairing code), an allowlist, anyone, or nobody. The one list of policies; the D1 column, the
 * API schema, the CLI and the trust tiers all use it.
 */
export const SENDER_POLICIES = ["pairing", "allowlist", "open", "disabled"] as const;
export type SenderPolicy = (typeof SENDER_POLICIES)[number];
