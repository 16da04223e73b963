/**
 * Which decrypted messages the bot accepts (before stage 1 for matrix). The sender is the
 * Matrix user id the homeserver authenticated; encryption adds whether the message really
 * came from a device of that user. The bot trusts on first use, as Element does by default:
 * a user whose cross-signing identity nobody verified is accepted (grey shield), and so is a
 * device of a user who has no cross-signing identity at all (nothing could sign it). Refused:
 * a device its owner did not sign although the owner has an identity (what a homeserver
 * adding a device behind the user's back looks like), an unknown sending device, keys that do
 * not match the session, a session whose authenticity cannot be established (forwarded or
 * restored keys), and a user whose verified identity changed.
 */
import { type EventEncryptionInfo, EventShieldColour, EventShieldReason } from "matrix-js-sdk/lib/crypto-api/index.js";

const REFUSED_REASONS = new Set<EventShieldReason>([
  EventShieldReason.UNKNOWN_DEVICE,
  EventShieldReason.AUTHENTICITY_NOT_GUARANTEED,
  EventShieldReason.MISMATCHED_SENDER_KEY,
  EventShieldReason.MISMATCHED_SENDER,
  EventShieldReason.VERIFICATION_VIOLATION,
]);

/**
 * Null when the message is accepted, else why not. `senderHasIdentity`: whether the sender
 * has published cross-signing keys (only then can an unsigned device be told from a normal one).
 */
export function refuseEncrypted(info: EventEncryptionInfo | null, senderHasIdentity: boolean): string | null {
  if (!info) return "no encryption information for an encrypted event";
  const reason = info.shieldReason === null ? "unknown" : (EventShieldReason[info.shieldReason] ?? "unknown").toLowerCase();
  if (info.shieldReason !== null && REFUSED_REASONS.has(info.shieldReason)) return `the sender's device cannot be trusted (${reason})`;
  if (info.shieldReason === EventShieldReason.UNSIGNED_DEVICE)
    return senderHasIdentity ? "the sending device is not signed by its owner's cross-signing identity (unsigned_device)" : null;
  if (info.shieldColour === EventShieldColour.RED) return `the sending device failed verification (${reason})`;
  return null;
}
