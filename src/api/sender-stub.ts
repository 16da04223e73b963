/** The SenderSession object for a channel + sender; the one place its name is built. */
import { sessionId } from "../pipeline/records";

export function senderSession(env: Env, channelId: string, senderId: string) {
  return env.SENDER_SESSION.get(env.SENDER_SESSION.idFromName(sessionId(channelId, senderId)));
}
