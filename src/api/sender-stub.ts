/** The SenderSession object for a channel + sender; the one place its name is built. */
import { sessionId } from "../pipeline/records";

export function senderSession(env: Env, channelId: string, senderId: string) {
  return env.SENDER_SESSION.get(env.SENDER_SESSION.idFromName(sessionId(channelId, senderId)));
}

/** Queues a message to a sender outside a turn, through their object's outbound ledger. */
export function notifySender(env: Env, channelId: string, senderId: string, text: string): Promise<void> {
  return senderSession(env, channelId, senderId).notify(channelId, senderId, text);
}
