/**
 * What a channel's status says before the platform has been heard from, and after setup runs,
 * so it never reads "ok" while nothing can arrive (src/api/channels.ts). Four cases:
 * - setup registers the channel with the platform (Telegram's setWebhook): `setup_pending` until
 *   setup has run, then ok or error;
 * - the platform-side step is manual (Slack's Request URL, an Email Routing rule): setup checks
 *   credentials and lists the steps; the status is `awaiting_event` until the first verified
 *   request (markChannelHeard, src/pipeline/channel-store.ts), whatever setup said;
 * - a bridge serves it: `waiting_for_bridge` until the bridge reports its own view
 *   (connecting, connected, failed ...), which setup does not overwrite;
 * - nothing to wait for: ok.
 */
import { AWAITING_FIRST_EVENT } from "../pipeline/channel-store";
import type { ChannelAdapter } from "../channels/shared/types";

/** The status of a channel whose setup (which registers it with the platform) has not run yet. */
export const SETUP_PENDING = "setup_pending";
/** A bridged channel its bridge has not reported on yet. */
export const WAITING_FOR_BRIDGE = "waiting_for_bridge";

type Adapter = Pick<ChannelAdapter<unknown>, "type" | "setupRegisters" | "awaitsFirstEvent" | "bridged">;
interface Status {
  status: string;
  statusDetail: string | null;
}

/** What to do about it, for API readers (the dashboard words it from the status). */
function waitingDetail(adapter: Adapter, id: string, config: Record<string, unknown>): string | null {
  if (adapter.setupRegisters)
    return `Setup has not run, so ${adapter.type} sends nothing to this channel yet: run it with POST /api/channels/${id}/setup (the dashboard runs it when it creates a channel).`;
  if (adapter.bridged)
    return `Waiting for bridge ${String(config.bridgeId)} to start this channel: run that bridge with its token (docs/bridge.md); it reports the connection here.`;
  if (adapter.awaitsFirstEvent)
    return `Nothing has arrived from ${adapter.type} yet: it sends events only once its side is set up. Setup (POST /api/channels/${id}/setup) checks the credentials and lists the steps; this turns ok with the first verified request.`;
  return null;
}

/** A new channel's status. */
export function initialStatus(adapter: Adapter, id: string, config: Record<string, unknown>): Status {
  const status = adapter.setupRegisters ? SETUP_PENDING : adapter.bridged ? WAITING_FOR_BRIDGE : adapter.awaitsFirstEvent ? AWAITING_FIRST_EVENT : "ok";
  return { status, statusDetail: waitingDetail(adapter, id, config) };
}

interface Row {
  id: string;
  status: string;
  statusDetail: string | null;
  lastMessageAt: number | null;
}

/**
 * The status once nothing is wrong (setup worked, or an error was cleared by saving): ok, unless
 * the platform still has to be heard from. A channel that was ok, or has had a message, has been.
 */
function healthy(adapter: Adapter, row: Row, config: Record<string, unknown>): Status {
  if (adapter.awaitsFirstEvent && row.status !== "ok" && row.lastMessageAt === null)
    return { status: AWAITING_FIRST_EVENT, statusDetail: waitingDetail(adapter, row.id, config) };
  return { status: "ok", statusDetail: null };
}

/**
 * After setup ran (null: leave the status alone). A bridged channel keeps the bridge's view:
 * the bridge reports a state only when it changes, so one overwritten here would not come back.
 * Otherwise an error says setup failed, and a channel waiting for its first event keeps waiting
 * (setup did not do the manual step).
 */
export function statusAfterSetup(adapter: Adapter, row: Row, config: Record<string, unknown>, ok: boolean): Status | null {
  if (adapter.bridged) return null;
  if (!ok) return { status: "error", statusDetail: null };
  return healthy(adapter, row, config);
}

/**
 * Saving a channel clears a failed setup's or a plugin fault's error: the next call reports
 * afresh. A bridged channel is restarted by its bridge with the new config, which reports anew.
 */
export function statusAfterSave(adapter: Adapter, row: Row, config: Record<string, unknown>): Status | null {
  if (row.status !== "error" || adapter.bridged) return null;
  return healthy(adapter, row, config);
}
