/**
 * Request bodies of the channel API. They live apart from the routes so clients that must not
 * load the Worker's code (the CLI's `apply`) validate with exactly the schemas the API uses.
 */
import * as z from "zod";
import { agentSettingsSchema } from "../agent/settings";
import { SENDER_POLICIES } from "../lib/sender-policy";

export const channelPolicy = z.enum(SENDER_POLICIES);

const common = {
  name: z.string().trim().min(1, "name is required").max(100),
  policy: channelPolicy.optional(),
  allowlist: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  rateLimitPerMinute: z.number().int().min(1).max(10_000).nullable().optional(),
  /** Agent overrides: `{model?, maxTokens?, systemPrompt?, tools?}`; null resets to the gateway defaults. */
  agent: agentSettingsSchema.nullable().optional(),
};

/** `POST /api/channels`. */
export const channelCreateBody = z.object({ type: z.string().min(1), config: z.record(z.string(), z.unknown()).default({}), ...common });
/** `PUT /api/channels/:id`: every field optional; a secret sent as "[hidden]" keeps its stored value. */
export const channelUpdateBody = z.object({ ...common, name: common.name.optional(), config: z.record(z.string(), z.unknown()).optional() });

export type ChannelCreateBody = z.input<typeof channelCreateBody>;
export type ChannelUpdateBody = z.input<typeof channelUpdateBody>;
