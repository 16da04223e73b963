/**
 * The web chat channel: the admin talks to the agent from the API (`POST /api/chat`) or the
 * dashboard's playground, through the same pipeline as every platform. The reply's "delivery"
 * is its row in D1, which the API and the live feed read, so sending cannot fail.
 *
 * Replies stream (docs/streaming.md): there is no platform message to edit, so "posting" and
 * "editing" the preview only name it; each change the pacer lets through is pushed to the
 * dashboard's live feed as a `reply.progress` event (workers/sender-session.ts), where the
 * playground grows its answer, and the finished reply replaces it.
 */
import * as z from "zod";
import type { ChannelAdapter } from "../shared/types";

const configSchema = z.object({});

/**
 * Least time between two previews: a browser redraws the whole bubble each time, and more than
 * a few changes a second would only add frames to every watching dashboard's live connection.
 */
export const WEB_PREVIEW_INTERVAL_MS = 400;

export const webAdapter: ChannelAdapter<z.infer<typeof configSchema>> = {
  type: "web",
  description: "Web chat from the admin API and the dashboard playground",
  configSchema,
  secretFields: [],
  maxMessageLength: 100_000,
  async send() {
    return { ok: true };
  },
  streaming: {
    minEditIntervalMs: () => WEB_PREVIEW_INTERVAL_MS,
    // The preview's "message" is the turn itself (`<turn>:live`): nothing is posted anywhere.
    async start(message) {
      return { ok: true, platformMessageId: message.deliveryId };
    },
    async edit() {
      return { ok: true };
    },
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [webAdapter];
