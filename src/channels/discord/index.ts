/**
 * Discord through interactions (HTTP, no gateway socket; gateway.ts is the bridge-served
 * gateway connection for DMs and mentions): requests are verified with the
 * application's Ed25519 public key (verify.ts, with Web Crypto; a bad signature gets the
 * 401 Discord probes for), /ask and /pair are acknowledged at once with a deferred response,
 * and the reply edits that response when the agent is done.
 */
import { fetchDiscordAttachment } from "./attachment";
import { verifyKey } from "discord-interactions";
import * as z from "zod";
import { DISCORD_COMMANDS } from "./commands";
import { DISCORD_MAX_MESSAGE_LENGTH, discordCall, discordSendResult, sendDirectMessage } from "./api";
import { discordGatewayAdapter } from "./gateway";
import { DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, EPHEMERAL, normalizeInteraction } from "./interaction";
import { networkSafe } from "../shared/send-result";
import { sendDiscordFile } from "./send-file";
import { parseJson, readBody } from "../shared/read-body";
import type { ChannelAdapter } from "../shared/types";
import { discordStreaming } from "./stream";
import { approvalClick, approvalComponents, clickResponse, MESSAGE_COMPONENT } from "./approval";

export { DISCORD_MAX_MESSAGE_LENGTH };
export const DISCORD_SIGNATURE_HEADER = "x-signature-ed25519";
export const DISCORD_TIMESTAMP_HEADER = "x-signature-timestamp";
/** The agent may not ping @everyone, roles or users by writing their mention. */
const NO_MENTIONS = { parse: [] as string[] };

const configSchema = z.object({
  applicationId: z
    .string()
    .regex(/^\d{15,25}$/, "applicationId is the numeric Application ID")
    .meta({ title: "Application ID" })
    .describe("Discord Developer Portal (discord.com/developers/applications) → your app → General Information → Application ID (digits)."),
  publicKey: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "publicKey must be the 64-character hex Public Key")
    .meta({ title: "Public key" })
    .describe("General Information → Public Key (64 hex characters). Every interaction Discord sends is checked against it."),
  botToken: z
    .string()
    .min(20, "botToken is the bot's token from the Bot page")
    .meta({ title: "Bot token" })
    .describe(
      "Bot page → Reset Token (Discord shows it once). Setup uses it to register /ask and /pair and the Interactions Endpoint URL; replies outside an interaction are sent as DMs with it.",
    ),
  apiBase: z
    .url({ protocol: /^https?$/, error: "apiBase must be an http(s) URL" })
    .optional()
    .meta({ title: "REST API root (advanced)" })
    .describe("Optional: leave empty for https://discord.com/api/v10. Set it only for a proxy or a test server."),
});
export type DiscordConfig = z.infer<typeof configSchema>;

/** The reply's chunk number: the pipeline's delivery ids end in `:<4-digit chunk index>`. */
function chunkIndex(deliveryId: string): number {
  const m = /:(\d{4})$/.exec(deliveryId);
  return m ? Number(m[1]) : -1;
}

export const discordAdapter: ChannelAdapter<DiscordConfig> = {
  type: "discord",
  description: "Discord app through interactions (/ask and /pair slash commands)",
  configSchema,
  secretFields: ["botToken"],
  endpointFields: ["apiBase"],
  setupRegisters: true,
  maxMessageLength: DISCORD_MAX_MESSAGE_LENGTH,
  approvalButtons: true,

  async verify(request, { config }) {
    const signature = request.headers.get(DISCORD_SIGNATURE_HEADER);
    const timestamp = request.headers.get(DISCORD_TIMESTAMP_HEADER);
    if (!signature || !timestamp) return { kind: "rejected", status: 401, error: "missing X-Signature-Ed25519 or X-Signature-Timestamp header" };
    if (!/^[0-9a-fA-F]{128}$/.test(signature)) return { kind: "rejected", status: 401, error: "invalid request signature" };
    if (request.method !== "POST") return { kind: "rejected", status: 400, error: "Discord interactions are POST requests" };
    const body = await readBody(request);
    if (!body.ok) return { kind: "rejected", status: 413, error: body.error };
    if (!(await verifyKey(body.raw, signature, timestamp, config.publicKey))) return { kind: "rejected", status: 401, error: "invalid request signature" };
    const json = parseJson(body.raw);
    if (!json.ok) return { kind: "rejected", status: 400, error: json.error };
    if ((json.value as { type?: unknown } | null)?.type === MESSAGE_COMPONENT) {
      const click = approvalClick(json.value);
      if (click === null)
        return { kind: "response", response: Response.json({ type: 4, data: { content: "This button is not handled here.", flags: EPHEMERAL } }) };
      if ("invalid" in click) return { kind: "rejected", status: 400, error: click.invalid };
      const { press, content } = click;
      return { kind: "approval", press, respond: async (outcome) => Response.json(clickResponse(outcome, press, content, EPHEMERAL)) };
    }
    const interaction = normalizeInteraction(json.value);
    if (interaction.kind === "invalid") return { kind: "rejected", status: 400, error: interaction.error };
    if (interaction.kind === "respond") return { kind: "response", response: Response.json(interaction.body) };
    // Discord wants an answer within 3 s: "thinking…" now, the reply edits it later.
    const deferred = { type: DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, ...(interaction.ephemeral ? { data: { flags: EPHEMERAL } } : {}) };
    return { kind: "messages", messages: [interaction.message], ack: () => Response.json(deferred) };
  },

  /** The file given to /ask, from Discord's CDN (attachment.ts). */
  async fetchAttachment(attachment, { config, fetch }, maxBytes) {
    return fetchDiscordAttachment(attachment, { apiBase: config.apiBase, fetch }, maxBytes);
  },

  async send(message, { config, fetch }) {
    const client = { apiBase: config.apiBase, fetch };
    const body = { content: message.text, allowed_mentions: NO_MENTIONS, ...(message.approval ? { components: approvalComponents(message.approval.id) } : {}) };
    const token = message.replyContext?.interactionToken;
    return networkSafe(async () => {
      if (!token) return sendDirectMessage({ ...client, botToken: config.botToken }, message.recipient, body);
      const path = `/webhooks/${config.applicationId}/${token}`;
      // The first chunk replaces the deferred "thinking…" response; the rest are follow-ups.
      if (chunkIndex(message.deliveryId) === 0) return discordSendResult(await discordCall(client, "PATCH", `${path}/messages/@original`, body));
      return discordSendResult(await discordCall(client, "POST", path, body));
    });
  },

  /** A follow-up of the interaction with the file attached, or a DM without one (send-file.ts). */
  async sendFile(message, { config, fetch }) {
    const target = { applicationId: config.applicationId, botToken: config.botToken, userId: message.recipient };
    return networkSafe(() =>
      sendDiscordFile({ apiBase: config.apiBase, fetch }, { ...target, interactionToken: message.replyContext?.interactionToken }, message),
    );
  },

  streaming: discordStreaming(),

  async setup({ channelId, config, publicUrl, fetch }) {
    const client = { apiBase: config.apiBase, botToken: config.botToken, fetch };
    const url = `${publicUrl.replace(/\/$/, "")}/hooks/${channelId}`;
    const failed = async (what: string, res: Response | unknown) =>
      `${what} failed: ${res instanceof Response ? ((await discordSendResult(res)) as { error?: string }).error : String(res)}`;
    const commands = await discordCall(client, "PUT", `/applications/${config.applicationId}/commands`, DISCORD_COMMANDS).catch((e: unknown) => e);
    if (!(commands instanceof Response) || !commands.ok)
      return { ok: false, steps: [await failed("Registering /ask and /pair", commands), "Check applicationId and botToken."] };
    // Discord checks the URL before saving it: a signed PING must get PONG, a bad signature 401.
    const endpoint = await discordCall(client, "PATCH", "/applications/@me", { interactions_endpoint_url: url }).catch((e: unknown) => e);
    if (!(endpoint instanceof Response) || !endpoint.ok) {
      return {
        ok: false,
        steps: [
          "Registered the /ask and /pair commands.",
          await failed(`Setting the Interactions Endpoint URL to ${url}`, endpoint),
          "Discord must reach that URL over HTTPS: set PUBLIC_URL to the gateway's public address, or paste the URL under General Information → Interactions Endpoint URL.",
        ],
      };
    }
    return {
      ok: true,
      steps: [
        "Registered the /ask and /pair commands (global commands can take a few minutes to appear).",
        `Interactions Endpoint URL set to ${url}; Discord verified it.`,
        "Invite the app with the applications.commands scope, then use /ask in a server or DM.",
      ],
    };
  },
};

/** The registry picks up every platform folder by its default export (scripts/gen-channel-registry.mjs). */
export default [discordAdapter, discordGatewayAdapter];
