/**
 * Streamed replies on Slack (docs/streaming.md): the partial reply is posted with
 * chat.postMessage in the same thread as a finished reply would be, grown with chat.update
 * (Web API rate tier 3: about fifty calls a minute), and the finished reply is the last update.
 * Slack's chat.startStream / appendStream / stopStream are for apps in the AI assistant
 * surface and only append text, so they cannot replace a preview with the finished reply; the
 * update path works in every conversation the app can post in.
 */
import { networkSafe } from "../shared/send-result";
import type { ChannelContext, OutboundMessage, StreamingReplies } from "../shared/types";
import { slackCall, slackSendResult } from "./api";
import { toSlackMrkdwn } from "./format";

/** chat.update is tier 3 ("50+ per minute"): one update per 1.2 s stays inside it for one conversation. */
export const SLACK_EDIT_INTERVAL_MS = 1200;

type SlackBot = { botToken: string; apiBase?: string };

const channelOf = (message: OutboundMessage) => message.conversationId ?? message.recipient;

/** chat.postMessage in the thread the message came from, like the adapter's send. */
export function postSlackMessage(message: OutboundMessage, ctx: ChannelContext<SlackBot>) {
  const threadTs = message.replyContext?.threadTs;
  const body = { channel: channelOf(message), text: toSlackMrkdwn(message.text), mrkdwn: true, ...(threadTs ? { thread_ts: threadTs } : {}) };
  return networkSafe(async () =>
    slackSendResult(await slackCall({ botToken: ctx.config.botToken, apiBase: ctx.config.apiBase, fetch: ctx.fetch }, "chat.postMessage", body), ctx.now),
  );
}

export function slackStreaming<C extends SlackBot>(): StreamingReplies<C> {
  return {
    minEditIntervalMs: () => SLACK_EDIT_INTERVAL_MS,
    start: (message, ctx) => postSlackMessage(message, ctx),
    edit: (message, ts, ctx) => {
      const body = { channel: channelOf(message), ts, text: toSlackMrkdwn(message.text) };
      const client = { botToken: ctx.config.botToken, apiBase: ctx.config.apiBase, fetch: ctx.fetch };
      return networkSafe(async () => slackSendResult(await slackCall(client, "chat.update", body), Date.now()));
    },
  };
}
