/**
 * How a channel's status reads. Webhook channels are "ok" or carry their last error; channels
 * served by a bridge report the bridge's view of the platform connection (docs/bridge.md):
 * connecting, connected, needs_login, failed, stopped, and down when the bridge is offline.
 */
import type { Channel } from "../api/types";

export type Tone = "ok" | "warn" | "bad" | "muted";

const STATES: Record<string, { tone: Tone; label: string; explain: string }> = {
  ok: { tone: "ok", label: "ok", explain: "" },
  connected: { tone: "ok", label: "connected", explain: "The bridge is connected to the platform." },
  connecting: { tone: "warn", label: "connecting", explain: "The bridge is connecting to the platform." },
  needs_login: { tone: "warn", label: "needs login", explain: "The platform needs you to log in before the bridge can connect." },
  failed: { tone: "bad", label: "failed", explain: "The bridge could not start this channel." },
  stopped: { tone: "muted", label: "stopped", explain: "The bridge stopped this channel." },
  down: { tone: "bad", label: "down", explain: "The bridge that serves this channel is offline." },
};

export function channelState(status: string): { tone: Tone; label: string; explain: string } {
  return STATES[status] ?? { tone: "bad", label: status, explain: "" };
}

/** The bridge that serves a channel, if it is a bridged one (its config names it; never a secret). */
export function bridgeOf(channel: Channel): string | null {
  const id = channel.config.bridgeId;
  return typeof id === "string" && id.startsWith("brg_") ? id : null;
}
