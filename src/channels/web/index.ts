/**
 * The web chat channel: the admin talks to the agent from the API (`POST /api/chat`) or the
 * dashboard's playground, through the same pipeline as every platform. The reply's "delivery"
 * is its row in D1, which the API and the live feed read, so sending cannot fail.
 */
import * as z from "zod";
import type { ChannelAdapter } from "../shared/types";

const configSchema = z.object({});

export const webAdapter: ChannelAdapter<z.infer<typeof configSchema>> = {
  type: "web",
  description: "Web chat from the admin API and the dashboard playground",
  configSchema,
  secretFields: [],
  maxMessageLength: 100_000,
  async send() {
    return { ok: true };
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [webAdapter];
