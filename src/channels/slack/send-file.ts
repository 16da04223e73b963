/**
 * Files the agent sends, on Slack (docs/media.md): Slack's external upload in three steps.
 * `files.getUploadURLExternal` (form-encoded: filename, length) gives an upload URL and a file
 * id; the bytes are POSTed there as multipart/form-data; `files.completeUploadExternal` shares
 * the file in the conversation (`channel_id`), in the thread being answered (`thread_ts`).
 * Needs the `files:write` bot scope. https://docs.slack.dev/messaging/working-with-files
 */
import { retryAfterMs } from "../shared/send-result";
import type { OutboundFileMessage, SendResult } from "../shared/types";
import { SLACK_API_BASE, slackCall, slackSendResult, type SlackClient } from "./api";

/** Slack takes files up to 1 GB. */
export const SLACK_MAX_FILE_BYTES = 1024 * 1024 * 1024;

type UploadUrlAnswer = { ok?: boolean; error?: string; upload_url?: string; file_id?: string };

export async function sendSlackFile(client: SlackClient, message: OutboundFileMessage, now = Date.now()): Promise<SendResult> {
  const { file } = message;
  if (file.bytes.byteLength > SLACK_MAX_FILE_BYTES) return { ok: false, retryable: false, error: `${file.name} is over Slack's 1 GB limit` };
  // Step 1: form-encoded, as the method documents (it takes no JSON body).
  const form = new URLSearchParams({ filename: file.name, length: String(file.bytes.byteLength) });
  const asked = await client.fetch(`${(client.apiBase ?? SLACK_API_BASE).replace(/\/$/, "")}/files.getUploadURLExternal`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${client.botToken}` },
    body: form.toString(),
  });
  const answer = (await asked
    .clone()
    .json()
    .catch(() => ({}))) as UploadUrlAnswer;
  if (!asked.ok || !answer.ok || !answer.upload_url || !answer.file_id) return failed(await slackSendResult(asked, now), "files.getUploadURLExternal");

  // Step 2: the bytes, as a file part. The upload URL answers 200 with "OK - <bytes>".
  const body = new FormData();
  body.set("file", new File([file.bytes], file.name, { type: file.mediaType }));
  const uploaded = await client.fetch(answer.upload_url, { method: "POST", body });
  if (!uploaded.ok) {
    const error = `Slack upload failed: HTTP ${uploaded.status}`;
    const retryable = uploaded.status === 429 || uploaded.status >= 500;
    return { ok: false, retryable, retryAfterMs: retryAfterMs(uploaded.headers.get("retry-after"), now), error };
  }

  // Step 3: share it where the reply goes, in its thread.
  const threadTs = message.replyContext?.threadTs;
  const complete = {
    files: [{ id: answer.file_id, title: file.name }],
    channel_id: message.conversationId ?? message.recipient,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(message.text ? { initial_comment: message.text } : {}),
  };
  const shared = await slackSendResult(await slackCall(client, "files.completeUploadExternal", complete), now);
  return shared.ok ? { ok: true, platformMessageId: answer.file_id } : failed(shared, "files.completeUploadExternal");
}

function failed(result: SendResult, method: string): SendResult {
  return result.ok ? { ok: false, retryable: true, error: `Slack ${method}: no upload URL in the answer` } : { ...result, error: `${method}: ${result.error}` };
}
