/** The display name on the bot's replies, for both e-mail channels. */
import * as z from "zod";

export const fromNameField = z
  .string()
  .trim()
  .max(100)
  .optional()
  .meta({ title: "Sender name" })
  .describe("Optional: the display name on replies, e.g. Our agent. Empty: the bare address.");
