/**
 * Files the agent sends, on Discord (docs/media.md): a message with the file attached, as
 * multipart/form-data with the message JSON in `payload_json` (its `attachments[0]` naming the
 * file) and the bytes in the part `files[0]`. For a slash command it is a follow-up of the
 * interaction; otherwise a message in the bot's DM with the person. Discord takes up to 10 MiB
 * of attachments per message unless the server is boosted.
 * https://discord.com/developers/docs/reference#uploading-files
 */
import type { OutboundFileMessage, SendResult } from "../shared/types";
import { DISCORD_API_BASE, type DiscordClient, discordCall, discordSendResult } from "./api";

/** Attachments per message on servers without boosts. */
export const DISCORD_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface DiscordFileTarget {
  applicationId: string;
  botToken: string;
  /** The interaction being answered, when there is one. */
  interactionToken?: string;
  userId: string;
}

function fileForm(message: OutboundFileMessage): FormData {
  const { file } = message;
  const payload = {
    ...(message.text ? { content: message.text } : {}),
    attachments: [{ id: 0, filename: file.name }],
    allowed_mentions: { parse: [] },
  };
  const form = new FormData();
  form.set("payload_json", JSON.stringify(payload));
  form.set("files[0]", new File([file.bytes], file.name, { type: file.mediaType }));
  return form;
}

export async function sendDiscordFile(client: DiscordClient, target: DiscordFileTarget, message: OutboundFileMessage): Promise<SendResult> {
  if (message.file.bytes.byteLength > DISCORD_MAX_UPLOAD_BYTES)
    return { ok: false, retryable: false, error: `${message.file.name} is over Discord's ${DISCORD_MAX_UPLOAD_BYTES} byte upload limit` };
  const base = (client.apiBase ?? DISCORD_API_BASE).replace(/\/$/, "");
  if (target.interactionToken) {
    // Interaction webhooks are authorised by their token: no bot header.
    const res = await client.fetch(`${base}/webhooks/${target.applicationId}/${target.interactionToken}`, { method: "POST", body: fileForm(message) });
    return discordSendResult(res);
  }
  const dm = await discordCall({ ...client, botToken: target.botToken }, "POST", "/users/@me/channels", { recipient_id: target.userId });
  if (!dm.ok) return discordSendResult(dm);
  const { id } = (await dm.json()) as { id: string };
  const res = await client.fetch(`${base}/channels/${id}/messages`, {
    method: "POST",
    headers: { authorization: `Bot ${target.botToken}` },
    body: fileForm(message),
  });
  return discordSendResult(res);
}

/** A file as a message in a channel the bot can post in (a reply over the gateway, bridge/src/channels/discord/gateway.ts). */
export async function sendDiscordChannelFile(
  client: DiscordClient & { botToken: string },
  channelId: string,
  message: OutboundFileMessage,
): Promise<SendResult> {
  if (message.file.bytes.byteLength > DISCORD_MAX_UPLOAD_BYTES)
    return { ok: false, retryable: false, error: `${message.file.name} is over Discord's ${DISCORD_MAX_UPLOAD_BYTES} byte upload limit` };
  const base = (client.apiBase ?? DISCORD_API_BASE).replace(/\/$/, "");
  const res = await client.fetch(`${base}/channels/${channelId}/messages`, {
    method: "POST",
    headers: { authorization: `Bot ${client.botToken}` },
    body: fileForm(message),
  });
  return discordSendResult(res);
}
