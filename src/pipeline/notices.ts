/** What the gateway itself says to senders, in one place so the wording stays consistent. */

export const notices = {
  pairingRequest: (code: string, minutes: number) =>
    `This assistant only answers approved senders. Your pairing code is ${code} (valid ${minutes} minutes). ` +
    `Send it to the assistant's admin to be approved, or send /pair CODE if you were given an invite code.`,
  paired: () => "You are paired. Send a message to talk to the assistant.",
  pairingFailed: (reason: string) => `That pairing code did not work (${reason}). Check it and try again.`,
  pairingLocked: () => "Too many wrong pairing codes. Try again in an hour.",
  slowDown: (seconds: number) => `You're sending messages too fast. Please wait ${seconds} seconds and try again.`,
  rejected: () => "Your pairing request was declined.",
  failed: () => "Sorry, your message could not be processed. Please try again later.",
} as const;
