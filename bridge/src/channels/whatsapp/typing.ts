/**
 * "typing…" in a WhatsApp chat while the agent works: Baileys' `sendPresenceUpdate('composing', jid)`
 * (a `chatstate` node to the chat), which "expires after about 10 seconds" (Baileys' README), so
 * it is sent again every 8 s, and `'paused'` when the reply goes out or after two minutes
 * (../shared/typing.ts).
 */
import { DEFAULT_MAX_TYPING_MS, TypingIndicator } from "../shared/typing";

/** The socket's chat-state call (Baileys' `sendPresenceUpdate`, narrowed to the two states used). */
export interface PresenceSender {
  sendPresenceUpdate(type: "composing" | "paused", toJid: string): Promise<void>;
}

export const WHATSAPP_TYPING_RENEW_MS = 8000;

/** `socket` is read at each call: null while the connection is (re)opening. */
export function whatsappTyping(socket: () => PresenceSender | null): TypingIndicator {
  const call = async (jid: string, presence: "composing" | "paused") => {
    const current = socket();
    if (!current) throw new Error("WhatsApp is not connected");
    return current.sendPresenceUpdate(presence, jid);
  };
  return new TypingIndicator({
    ping: (jid) => call(jid, "composing"),
    end: (jid) => call(jid, "paused"),
    renewMs: WHATSAPP_TYPING_RENEW_MS,
    maxMs: DEFAULT_MAX_TYPING_MS,
  });
}
