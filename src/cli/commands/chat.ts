/**
 * `loopgate chat TEXT` talks to the agent through the web chat channel (the dashboard's
 * playground: same pipeline, same records) and prints the reply; `loopgate messages` reads the
 * message records of every channel, newest first.
 */
import { randomUUID } from "node:crypto";
import { intOption, stringOption } from "../options";
import type { CommandSpec } from "../command";
import { unwrap } from "../connection";
import { CliError } from "../errors";
import { formatTime } from "../output";
import { findChannel } from "./channels";

/** The API holds a request at most this long; longer waits are several requests. */
const MAX_WAIT_PER_REQUEST_S = 60;

const chat: CommandSpec = {
  path: ["chat"],
  summary: "send the agent a message as the admin (the web chat channel) and print its reply",
  args: ["TEXT"],
  remote: true,
  options: {
    wait: { type: "string", short: "w", valueName: "seconds", description: "how long to wait for the reply, 0-600 (default 120; 0: send and return)" },
    conversation: { type: "string", valueName: "id", description: "a conversation id, to keep separate threads apart" },
  },
  details: 'The text is one argument: quote it, e.g. loopgate chat "What can you do?".',
  async run({ args, values, gateway, out }) {
    const waitS = intOption(values, "wait", 0, 600) ?? 120;
    const conversationId = stringOption(values, "conversation");
    const gw = gateway();
    const deadline = Date.now() + waitS * 1000;
    const slice = () => String(Math.max(0, Math.min(MAX_WAIT_PER_REQUEST_S, Math.ceil((deadline - Date.now()) / 1000))));
    // A client id makes a retried send (after a dropped connection) one message, not two.
    const json = { text: args[0]!, clientMessageId: randomUUID(), ...(conversationId ? { conversationId } : {}) };
    let body = await unwrap(gw, gw.client.api.chat.$post({ json, query: { wait: slice() } }));
    if (body.status === "pending" && waitS > 0) out.progress(`Waiting for the reply to ${body.messageId}...`);
    while (body.status === "pending" && Date.now() < deadline) {
      body = {
        ...(await unwrap(gw, gw.client.api.chat[":messageId"].$get({ param: { messageId: body.messageId }, query: { wait: slice() } }))),
        duplicate: body.duplicate,
      };
    }
    out.data(body);
    if (body.status === "done") {
      out.say(body.reply);
      return;
    }
    if (waitS === 0) {
      out.say(`Sent as ${body.messageId}; the reply will be in \`loopgate messages --channel web\`.`);
      return;
    }
    throw new CliError(
      `no reply to ${body.messageId} within ${waitS} s`,
      "the agent may still answer: see `loopgate messages --channel web`, or wait longer with --wait",
    );
  },
};

const messages: CommandSpec = {
  path: ["messages"],
  summary: "message records, newest first: what came in, what went out, and what happened to it",
  remote: true,
  options: {
    channel: { type: "string", valueName: "channel", description: "only this channel (id or name; the web chat is `web`)" },
    sender: { type: "string", valueName: "id", description: "only this sender (their platform id)" },
    limit: { type: "string", short: "n", valueName: "n", description: "how many, 1-500 (default 50)" },
  },
  async run({ values, gateway, out }) {
    const limit = String(intOption(values, "limit", 1, 500) ?? 50);
    const gw = gateway();
    const ref = stringOption(values, "channel");
    const senderId = stringOption(values, "sender");
    const query = { limit, ...(senderId ? { senderId } : {}), ...(ref ? { channelId: (await findChannel(gw, ref)).id } : {}) };
    const body = await unwrap(gw, gw.client.api.messages.$get({ query }));
    out.data(body);
    out.table(
      ["time", "channel", "sender", "dir", "outcome", "text"],
      body.messages.map((m) => [formatTime(m.createdAt), m.channelId, m.senderId, m.direction, m.outcome, m.text]),
      "No messages yet.",
    );
  },
};

export const chatCommands = [chat, messages];
