/**
 * Microsoft Teams through the Bot Framework: inbound activities carry a Bot Framework JWT
 * (auth.ts) and are normalised by activity.ts; a typing indicator shows while the agent works;
 * replies go to `{serviceUrl}/v3/conversations/{id}/activities/{replyToId}` with a bot token from
 * the client-credentials flow (api.ts), as Markdown text or an Adaptive Card (format.ts). Approval
 * prompts are cards with Approve/Deny buttons whose presses come back as activities (approval.ts).
 * Pasted pictures and files sent in personal chats reach the agent (attachments.ts, media.ts).
 * In personal chats the answer streams while the model writes (stream.ts).
 */
import * as z from "zod";
import { bearerToken } from "../shared/jwks-cache";
import { parseJson, readBody } from "../shared/read-body";
import { type Activity, activitySchema, normalizeActivity } from "./activity";
import { botToken, type TeamsCredentials, postActivity, teamsSendResult, tokenUrl, updateActivity } from "./api";
import { approvalActivity, approvalPressOf, decidedActivity, undecidedActivity } from "./approval";
import { BOT_FRAMEWORK_OPENID_URL, verifyTeamsToken } from "./auth";
import { replyActivity } from "./format";
import { fetchTeamsMedia } from "./media";
import { teamsStreaming } from "./stream";
import type { ChannelAdapter, ChannelContext } from "../shared/types";

/** Teams accepts messages up to about 28 KB; 8,000 characters leave room for 3-byte scripts and the envelope. */
export const TEAMS_MAX_MESSAGE_LENGTH = 8000;
/** How long one typing indicator call may take. */
const TYPING_TIMEOUT_MS = 2000;
/**
 * Typing activities show for three seconds, and senders should not send them more often than
 * every three seconds (Activity protocol, A6000/A6001): renewed at that pace while the turn runs.
 */
const TYPING_RENEW_MS = 3000;

const configSchema = z.object({
  appId: z
    .uuid({ error: "appId must be the bot's Microsoft App ID (a GUID)" })
    .meta({ title: "Microsoft App ID" })
    .describe("Microsoft App ID of the Azure Bot (a GUID, from the bot's Configuration page)"),
  appPassword: z
    .string()
    .min(8, "appPassword must be the app's client secret value")
    .meta({ title: "Client secret" })
    .describe("Client secret of the app registration (Certificates & secrets → the secret's Value)"),
  tenantId: z
    .string()
    .regex(/^[\w.-]{3,100}$/, "tenantId must be a directory (tenant) id or domain")
    .optional()
    .meta({ title: "Tenant ID" })
    .describe("Single-tenant apps only: the Directory (tenant) ID; leave empty for a multi-tenant app"),
  prefix: z
    .string()
    .min(1)
    .max(20)
    .optional()
    .meta({ title: "Group prefix" })
    .describe("In group chats and channels, also answer messages starting with this text (besides @mentions), e.g. !ai"),
  openIdMetadataUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({ title: "OpenID metadata URL (advanced)" })
    .describe(`Advanced: Bot Framework OpenID metadata (default ${BOT_FRAMEWORK_OPENID_URL}); changing it requires the secret again`),
  loginBase: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta({ title: "Login host (advanced)" })
    .describe("Advanced: Entra ID login host for bot tokens (default https://login.microsoftonline.com); changing it requires the secret again"),
});
export type TeamsConfig = z.infer<typeof configSchema>;

function credentials(config: TeamsConfig, ctx: Pick<ChannelContext<TeamsConfig>, "fetch" | "now">): TeamsCredentials {
  return { appId: config.appId, appPassword: config.appPassword, tenantId: config.tenantId, loginBase: config.loginBase, fetch: ctx.fetch, now: ctx.now };
}

/** Shows "typing…" in the conversation; best effort and bounded. */
async function sendTyping(creds: TeamsCredentials, activity: Pick<Activity, "serviceUrl" | "conversation">): Promise<void> {
  const signal = AbortSignal.timeout(TYPING_TIMEOUT_MS);
  await postActivity(creds, activity.serviceUrl, activity.conversation.id, { type: "typing" }, undefined, signal)
    .then((res) => res.body?.cancel())
    .catch(() => undefined);
}

export const teamsAdapter: ChannelAdapter<TeamsConfig> = {
  type: "teams",
  description: "Microsoft Teams bot through the Bot Framework (personal chats, @mentions in group chats and channels)",
  configSchema,
  secretFields: ["appPassword"],
  endpointFields: ["openIdMetadataUrl", "loginBase"],
  maxMessageLength: TEAMS_MAX_MESSAGE_LENGTH,
  // Teams sends activities only once the bot's messaging endpoint is set in the Azure portal by hand.
  awaitsFirstEvent: true,
  approvalButtons: true,
  // A bot writes to a person only in a conversation it has: the admin's personal chat, kept when they write.
  directRouteRequired: true,

  async verify(request, ctx) {
    const { config } = ctx;
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "Bot Framework activities are POST requests" };
    const token = bearerToken(request.headers);
    if (!token) return { kind: "rejected", status: 401, error: "missing Authorization: Bearer token" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    const parsed = activitySchema.safeParse(json.value);
    // The token covers a serviceUrl, so the body is read before the token is judged; nothing is kept either way.
    if (!parsed.success) return { kind: "rejected", status: 400, error: "body is not a Bot Framework activity (type, serviceUrl, channelId, conversation)" };
    const activity = parsed.data;
    const auth = await verifyTeamsToken({
      token,
      appId: config.appId,
      openIdMetadataUrl: config.openIdMetadataUrl ?? BOT_FRAMEWORK_OPENID_URL,
      serviceUrl: activity.serviceUrl,
      channelId: activity.channelId,
      fetch: ctx.fetch,
      now: ctx.now,
    });
    if (!auth.ok) return { kind: "rejected", status: 401, error: auth.error };
    const pressed = approvalPressOf(activity);
    if (pressed.kind === "invalid") return { kind: "rejected", status: 400, error: pressed.error };
    if (pressed.kind === "press") {
      const creds = credentials(config, ctx);
      const { press, cardActivityId, prompt } = pressed;
      return {
        kind: "approval",
        press,
        respond: async (outcome) => {
          // Best effort: the decision is stored either way; only the presser's feedback could be lost.
          const answer =
            outcome.kind === "decided" && cardActivityId
              ? updateActivity(
                  creds,
                  activity.serviceUrl,
                  activity.conversation.id,
                  cardActivityId,
                  decidedActivity(prompt, outcome.decision, press.deciderName ?? press.deciderId),
                )
              : outcome.kind === "decided"
                ? null
                : postActivity(creds, activity.serviceUrl, activity.conversation.id, undecidedActivity(outcome, cardActivityId), cardActivityId);
          await answer?.then((res) => res.body?.cancel()).catch(() => undefined);
          return Response.json({ ok: true, approval: outcome.kind });
        },
      };
    }
    const normalized = normalizeActivity(activity, config.prefix);
    if (normalized.kind === "invalid") return { kind: "rejected", status: 400, error: normalized.error };
    if (normalized.kind === "ignored") return { kind: "response", response: Response.json({ ok: true, ignored: normalized.reason }) };
    // Shown at once; the answer to the Bot Framework does not wait for it.
    const typing = sendTyping(credentials(config, ctx), activity);
    if (ctx.waitUntil) ctx.waitUntil(typing);
    else await typing;
    return { kind: "messages", messages: [normalized.message] };
  },

  streaming: teamsStreaming(),

  typing: {
    renewEveryMs: TYPING_RENEW_MS,
    async show(target, ctx) {
      const serviceUrl = target.replyContext?.serviceUrl;
      if (!serviceUrl || !target.conversationId) return;
      await sendTyping(credentials(ctx.config, ctx), { serviceUrl, conversation: { id: target.conversationId } });
    },
  },

  async send(message, ctx) {
    const creds = credentials(ctx.config, ctx);
    const serviceUrl = message.replyContext?.serviceUrl;
    const conversationId = message.conversationId;
    if (!serviceUrl || !conversationId)
      return { ok: false, retryable: false, error: "no Teams conversation to reply to (serviceUrl and conversation id come with an inbound activity)" };
    const replyToId = message.replyContext?.activityId;
    try {
      const activity = message.approval ? approvalActivity(message.text, message.approval.id, replyToId) : replyActivity(message.text, replyToId);
      return await teamsSendResult(await postActivity(creds, serviceUrl, conversationId, activity, replyToId), creds);
    } catch (err) {
      return teamsSendResult(err, creds);
    }
  },

  async fetchAttachment(attachment, ctx, maxBytes) {
    const metadata = ctx.config.openIdMetadataUrl;
    return fetchTeamsMedia(attachment, credentials(ctx.config, ctx), metadata ? new URL(metadata).host : undefined, maxBytes);
  },

  async setup(ctx) {
    const { config, channelId, publicUrl } = ctx;
    const url = `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
    try {
      await botToken(credentials(config, ctx));
    } catch (err) {
      return {
        ok: false,
        steps: [
          `Could not get a bot token from ${tokenUrl(config)}: ${err instanceof Error ? err.message : String(err)}.`,
          config.tenantId
            ? "Check appId, appPassword and tenantId (single-tenant app), and that the secret has not expired."
            : "Check appId and appPassword; a single-tenant app also needs tenantId.",
        ],
      };
    }
    // The messaging endpoint is set in the Azure portal; Bot Framework has no API for it with the bot's own token.
    return {
      ok: true,
      steps: [
        `The app's credentials work (bot token issued by ${config.tenantId ? `tenant ${config.tenantId}` : "the botframework.com tenant"}).`,
        `Azure portal → your Azure Bot → Configuration: set the Messaging endpoint to ${url}.`,
        "Channels: add Microsoft Teams. Then install the bot in Teams (a Teams app manifest with bots[].botId = the app id, scopes personal, team, groupChat).",
        `Personal chats are answered; in group chats and channels @mention the bot${config.prefix ? ` or start with ${config.prefix}` : ""}.`,
      ],
    };
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [teamsAdapter];
