/** Which encrypted messages the bot accepts, by the shield the Rust crypto gives them. */
import { EventShieldColour as Colour, EventShieldReason as Reason } from "matrix-js-sdk/lib/crypto-api/index.js";
import { describe, expect, it } from "vitest";
import { refuseEncrypted } from "./trust";

describe("encrypted message trust", () => {
  it("accepts verified devices and users nobody has verified yet (trust on first use)", () => {
    expect(refuseEncrypted({ shieldColour: Colour.NONE, shieldReason: null }, true)).toBeNull();
    expect(refuseEncrypted({ shieldColour: Colour.GREY, shieldReason: Reason.UNVERIFIED_IDENTITY }, true)).toBeNull();
  });

  it("accepts an unsigned device only from a user without a cross-signing identity", () => {
    const unsigned = { shieldColour: Colour.RED, shieldReason: Reason.UNSIGNED_DEVICE };
    expect(refuseEncrypted(unsigned, false)).toBeNull();
    expect(refuseEncrypted(unsigned, true)).toMatch(/not signed by its owner/);
  });

  it("refuses unknown devices, unauthenticated or mismatched keys and identity changes", () => {
    for (const reason of [
      Reason.UNKNOWN_DEVICE,
      Reason.AUTHENTICITY_NOT_GUARANTEED,
      Reason.MISMATCHED_SENDER_KEY,
      Reason.MISMATCHED_SENDER,
      Reason.VERIFICATION_VIOLATION,
    ])
      expect(refuseEncrypted({ shieldColour: Colour.GREY, shieldReason: reason }, false), Reason[reason]).toMatch(/cannot be trusted/);
    expect(refuseEncrypted({ shieldColour: Colour.RED, shieldReason: Reason.UNKNOWN }, false)).toMatch(/failed verification/);
    expect(refuseEncrypted(null, false)).toMatch(/no encryption information/);
  });
});
