/**
 * Matrix messages that grow while the model writes (docs/streaming.md, bridge channels): the
 * first part of a reply is posted like the reply (src/channels/matrix/edits.ts, idempotent by
 * its transaction id), later parts and the finished reply replace it with `m.replace` edits,
 * encrypted by the SDK in encrypted rooms. The SDK's message queue already waits out a
 * homeserver's M_LIMIT_EXCEEDED for its `retry_after_ms` (up to four tries); a rate limit that
 * outlasts them comes back here with its wait, for the pacer (bridge/src/live-replies.ts).
 */
import type { MatrixClient } from "matrix-js-sdk";
import type { RoomMessageEventContent } from "matrix-js-sdk/lib/@types/events.js";
import { buildEditEvent, buildFirstPartEvent } from "../../../../src/channels/matrix/edits";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { DeliveryOutcome, EditableMessages, PostOutcome } from "../shared/types";
import { sendFailure } from "./sdk";

/**
 * One change of a message every 2 s. Synapse's default `rc_message` lets a user send 0.2 events a
 * second after a burst of 10; many homeservers exempt their bots. Faster than that, the
 * homeserver's M_LIMIT_EXCEEDED sets the pace instead.
 */
export const MATRIX_EDIT_INTERVAL_MS = 2000;

export interface MatrixEditHost {
  /** The synced client, or null while it is (re)starting. */
  client(): MatrixClient | null;
  /** Saves the crypto store after an encrypted send (crypto-store.ts). */
  flush(): Promise<void>;
}

export function matrixEditableMessages(host: MatrixEditHost): EditableMessages {
  const ready = (roomId: string): { client: MatrixClient } | Extract<DeliveryOutcome, { ok: false }> => {
    const client = host.client();
    if (!client || !client.isInitialSyncComplete()) return { ok: false, retryable: true, error: "not synced with the homeserver yet" };
    if (client.getRoom(roomId)?.getMyMembership() !== "join") return { ok: false, retryable: false, error: `the bot is not in room ${roomId}` };
    return { client };
  };

  return {
    minEditIntervalMs: () => MATRIX_EDIT_INTERVAL_MS,

    async post(reply: BridgeReply): Promise<PostOutcome> {
      const built = buildFirstPartEvent(reply);
      if (!built.ok) return { ok: false, retryable: false, error: built.error };
      const { roomId, content, txnId } = built.event;
      const got = ready(roomId);
      if (!("client" in got)) return got;
      try {
        const sent = await got.client.sendMessage(roomId, null, content as unknown as RoomMessageEventContent, txnId);
        await host.flush();
        return { ok: true, messageId: sent.event_id };
      } catch (err) {
        return sendFailure(err);
      }
    },

    async edit(reply: BridgeReply, eventId: string): Promise<DeliveryOutcome> {
      const built = buildEditEvent(reply, eventId);
      if (!built.ok) return { ok: false, retryable: false, error: built.error };
      const got = ready(built.roomId);
      if (!("client" in got)) return got;
      // A redacted message shows nothing whatever its edits say: the reply must be posted anew.
      if (got.client.getRoom(built.roomId)?.findEventById(eventId)?.isRedacted())
        return { ok: false, retryable: false, error: `the streamed message ${eventId} was deleted` };
      try {
        await got.client.sendMessage(built.roomId, null, built.content as unknown as RoomMessageEventContent);
        await host.flush();
        return { ok: true };
      } catch (err) {
        return sendFailure(err);
      }
    },
  };
}
