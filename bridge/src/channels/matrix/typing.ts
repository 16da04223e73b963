/**
 * "… is typing" in a Matrix room while the agent works: `PUT /_matrix/client/v3/rooms/{roomId}/
 * typing/{userId}` with `{"typing": true, "timeout": 30000}` (matrix-js-sdk's `sendTyping`), which
 * the homeserver shows for that long, so it is sent again every 20 s; `{"typing": false}` when the
 * reply (or its first streamed part) goes out, or after two minutes (../shared/typing.ts). A
 * homeserver that refuses it (not in the room, rate limited) changes nothing about the reply.
 */
import type { MatrixClient } from "matrix-js-sdk";
import { DEFAULT_MAX_TYPING_MS, TypingIndicator } from "../shared/typing";

/** How long each notice asks the homeserver to show it (the spec's `timeout`, in ms). */
export const MATRIX_TYPING_TIMEOUT_MS = 30_000;
export const MATRIX_TYPING_RENEW_MS = 20_000;

/** `client` is read at each call: the channel's client is null while it (re)starts. */
export function matrixTyping(client: () => Pick<MatrixClient, "sendTyping"> | null): TypingIndicator {
  const call = async (roomId: string, typing: boolean) => {
    const current = client();
    if (!current) throw new Error("not connected to the homeserver");
    return current.sendTyping(roomId, typing, MATRIX_TYPING_TIMEOUT_MS);
  };
  return new TypingIndicator({
    ping: (roomId) => call(roomId, true),
    end: (roomId) => call(roomId, false),
    renewMs: MATRIX_TYPING_RENEW_MS,
    maxMs: DEFAULT_MAX_TYPING_MS,
  });
}
