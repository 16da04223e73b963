/**
 * How a channel's status reads. Webhook channels are "ok" or carry their last error; channels
 * served by a bridge report the bridge's view of the platform connection (docs/bridge.md):
 * connecting, connected, needs_login, failed, stopped, and down when the bridge is offline.
 * A channel created through the API whose setup registers it with the platform reads
 * `setup_pending` until its setup has run; one whose platform-side step is done by hand (Slack's
 * Request URL, an Email Routing rule) reads `awaiting_event` until the platform's first verified
 * request; a bridged one reads `waiting_for_bridge` until its bridge reports (src/api/channel-status.ts).
 * Either way, replies that fail to reach the platform turn a healthy-looking channel into a
 * warning with their count and last error (`delivery`, src/api/delivery-health.ts).
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
  awaiting_event: {
    tone: "warn",
    label: "waiting for first event",
    explain:
      "Nothing has arrived from the platform yet: it sends events only once its side is set up (Run setup lists the steps). This turns ok with the first verified request.",
  },
  waiting_for_bridge: {
    tone: "warn",
    label: "waiting for bridge",
    explain: "The bridge has not started this channel yet: run the bridge with its token; it reports the connection here.",
  },
  setup_pending: {
    tone: "warn",
    label: "setup not run",
    explain: "Setup has not run, so the platform does not send this channel anything yet. Run setup below: it registers the channel with the platform.",
  },
};

export function channelState(status: string): { tone: Tone; label: string; explain: string } {
  return STATES[status] ?? { tone: "bad", label: status, explain: "" };
}

/** The bridge that serves a channel, if it is a bridged one (its config names it; never a secret). */
export function bridgeOf(channel: Channel): string | null {
  const id = channel.config.bridgeId;
  return typeof id === "string" && id.startsWith("brg_") ? id : null;
}

/** The channel's state with its reply deliveries taken into account: "ok" only if replies get through. */
export function channelHealth(channel: Pick<Channel, "status" | "delivery">): { tone: Tone; label: string; explain: string } {
  const base = channelState(channel.status);
  const failed = channel.delivery.failedSinceLastDelivery;
  if (failed === 0 || base.tone !== "ok") return base;
  return {
    tone: "warn",
    label: failed === 1 ? "1 reply failed" : `${failed} replies failed`,
    explain: `${failed === 1 ? "The last reply" : `The last ${failed} replies`} could not be delivered to the platform${channel.delivery.lastError ? `: ${channel.delivery.lastError}` : ""}.`,
  };
}

/** A type id in words, from its description ("Slack app through Socket Mode…" → "Slack app"). */
export function typeName(type: string, description: string | undefined): string {
  if (type === "web") return "Web chat";
  const short = description?.split(/ \(| through | over | via /)[0]?.trim();
  return short || type;
}

const POLICIES: Record<string, string> = {
  pairing: "new people pair with a code",
  allowlist: "only listed people",
  open: "anyone can write",
  disabled: "no one (disabled)",
};

export function policyWords(policy: string): string {
  return POLICIES[policy] ?? policy;
}

/** Types whose setup registers the inbound URL and secret with the platform itself: the admin copies nothing. */
export const SETUP_REGISTERS_WEBHOOK: ReadonlySet<string> = new Set(["telegram"]);
