/**
 * "typing…" in a Signal chat while the agent works: signal-cli's JSON-RPC `sendTyping` ("Indicator
 * will be shown for 15 seconds unless a typing STOP message is sent first", signal-cli(1)), to
 * the person (`recipient`) or the group (`groupId`), sent again every 10 s, and `stop: true` when
 * the reply goes out or after two minutes (../shared/typing.ts). A conversation is named as the
 * channel names it: `group:<id>` for a group, the sender's number otherwise.
 */
import { DEFAULT_MAX_TYPING_MS, TypingIndicator } from "../shared/typing";
import type { JsonRpcLines } from "./json-rpc-lines";

export const SIGNAL_TYPING_RENEW_MS = 10_000;

/** `sendTyping`'s params for a conversation: a group by its id, a person by number. */
export function typingParams(conversation: string, stop: boolean): Record<string, unknown> {
  const to = conversation.startsWith("group:") ? { groupId: conversation.slice(6) } : { recipient: [conversation] };
  return stop ? { ...to, stop: true } : to;
}

/** `rpc` is read at each call: null while signal-cli is (re)connecting. */
export function signalTyping(rpc: () => Pick<JsonRpcLines, "request"> | null): TypingIndicator {
  const call = async (conversation: string, stop: boolean) => {
    const current = rpc();
    if (!current) throw new Error("signal-cli is not connected");
    return current.request("sendTyping", typingParams(conversation, stop));
  };
  return new TypingIndicator({
    ping: (conversation) => call(conversation, false),
    end: (conversation) => call(conversation, true),
    renewMs: SIGNAL_TYPING_RENEW_MS,
    maxMs: DEFAULT_MAX_TYPING_MS,
  });
}
