/**
 * Telling an admin that a bridge went down or came back: the bridge record names a channel
 * (served by something other than that bridge) and a recipient on it, and the message goes
 * through that recipient's SenderSession like any notice, so it is queued, retried and recorded.
 */
import { notifySender } from "../src/objects/addresses";
import { createLogger } from "../src/lib/log";

const log = createLogger("bridge-notify");

/** The bridge's notify setting as stored on its row. */
export interface BridgeNotifyTarget {
  /** The bridge's name, as the admin knows it. */
  name: string;
  notifyChannelId: string | null;
  notifyRecipient: string | null;
}

export function bridgeDownNotice(name: string, reason: string): string {
  return `Bridge "${name}" is down (${reason}). Its channels are offline; replies to them are queued until it reconnects.`;
}

export function bridgeUpNotice(name: string, downForMs: number | null): string {
  return `Bridge "${name}" is back up${downForMs === null ? "" : ` after ${roughDuration(downForMs)} down`}; its channels are reconnecting and queued replies are on their way.`;
}

function roughDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

/** Sends the notice when the bridge has a target; false when it has none. A failure is logged, never thrown: the state change itself is already recorded. */
export async function notifyBridgeAdmin(env: Env, bridge: BridgeNotifyTarget, text: string): Promise<boolean> {
  const { notifyChannelId: channelId, notifyRecipient: recipient } = bridge;
  if (!channelId || !recipient) return false;
  try {
    await notifySender(env, channelId, recipient, text);
    return true;
  } catch (err) {
    log.warn("bridge notice not sent", { bridge: bridge.name, channelId, error: String(err) });
    return false;
  }
}
