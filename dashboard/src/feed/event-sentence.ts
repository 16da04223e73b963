/**
 * The activity feed in words: each event kind the gateway records (src/db/feed-events.ts and
 * the objects in workers/) becomes one sentence naming who, on which channel (by name) and what
 * happened, with the figures that matter ("answered in 2.1 s · 1.2k tokens · $0.004"). Unknown
 * kinds still read as a sentence built from their fields, so a new event never shows as raw JSON.
 * The raw fields stay available to the row (event-row.tsx) one click away.
 */
import { compact, usd } from "../ui/format";

export interface SentenceEvent {
  kind: string;
  channelId: string | null;
  senderId: string | null;
  detail: Record<string, unknown>;
}

export interface Names {
  /** A channel's name from its id ("Web chat" for the playground). */
  channel: (id: string) => string;
  /** A sender's display name when a conversation knows it, else their id. */
  sender: (channelId: string, senderId: string) => string;
}

export type Tone = "ok" | "warn" | "bad" | "muted";

export interface Sentence {
  tone: Tone;
  /** A short label for the kind: "Answered", "Delivery failed". */
  label: string;
  text: string;
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function tries(n: number | null): string {
  return n && n > 1 ? ` after ${n} tries` : "";
}

/** "1.2k tokens · $0.004" when the event carries usage. */
function usage(d: Record<string, unknown>): string {
  const tokens = (num(d.inputTokens) ?? 0) + (num(d.outputTokens) ?? 0);
  const cost = num(d.costUsd);
  const parts = [tokens > 0 ? `${compact(tokens)} tokens` : null, cost !== null && cost > 0 ? usd(cost) : null].filter(Boolean);
  return parts.length ? ` · ${parts.join(" · ")}` : "";
}

function quoted(text: string | null, max = 120): string {
  if (!text) return "";
  const one = text.replace(/\s+/g, " ").trim();
  return `“${one.length > max ? `${one.slice(0, max - 1)}…` : one}”`;
}

/** The words a bridge or the pipeline uses for reasons, made readable ("no_progress" → "no progress"). */
export function words(v: unknown): string {
  return String(v).replace(/[_-]+/g, " ");
}

/** The end reasons of a loop task (workers/loop-task.ts), as a person would say them. */
export const LOOP_END_REASONS: Record<string, string> = {
  completed: "the agent said the goal was reached",
  max_iterations: "it ran all its iterations",
  cost_cap: "it reached its cost cap",
  no_progress: "it stopped making progress",
  budget: "its budget ran out",
  stopped: "it was stopped",
  error: "an iteration failed",
};

function fallback(e: SentenceEvent): string {
  return Object.entries(e.detail)
    .filter(([k, v]) => !/Id$/.test(k) && k !== "id" && v !== null && v !== undefined && typeof v !== "object")
    .map(([k, v]) => `${words(k.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase())} ${String(v)}`)
    .join(" · ");
}

export function sentence(e: SentenceEvent, names: Names): Sentence {
  const d = e.detail;
  const where = e.channelId ? names.channel(e.channelId) : "the gateway";
  const who = e.channelId && e.senderId ? names.sender(e.channelId, e.senderId) : (e.senderId ?? "someone");
  const whoOn = `${who} on ${where}`;
  const error = str(d.error) ?? str(d.reason);
  switch (e.kind) {
    case "message.received":
      return { tone: "muted", label: "Message", text: `${whoOn} wrote ${quoted(str(d.text))}`.trim() };
    case "message.dropped":
      return { tone: "warn", label: "Dropped", text: `A message from ${whoOn} was not answered: ${words(d.reason ?? "dropped")}` };
    case "message.rate_limited":
      return { tone: "warn", label: "Too fast", text: `${whoOn} sent messages faster than the rate limit allows; the message was not answered` };
    case "message.failed":
      return { tone: "bad", label: "Failed", text: `A message from ${whoOn} could not be processed${tries(num(d.attempts))}; they were told` };
    case "agent.run": {
      const ms = num(d.latencyMs);
      if (d.status === "failed") return { tone: "bad", label: "Agent failed", text: `${whoOn} · the agent failed: ${error ?? "unknown error"}` };
      return { tone: "ok", label: "Answered", text: `${whoOn} · answered${ms !== null ? ` in ${seconds(ms)}` : ""}${usage(d)}` };
    }
    case "agent.retry":
      return {
        tone: "warn",
        label: "Retry",
        text: `The model was busy for ${whoOn}; trying again${num(d.waitMs) !== null ? ` in ${seconds(num(d.waitMs) ?? 0)}` : ""} (${error ?? "error"})`,
      };
    case "agent.failover":
      return { tone: "warn", label: "Fallback model", text: `Switched from ${String(d.from)} to ${String(d.to)} for ${whoOn} (${error ?? "error"})` };
    case "agent.tool":
      return {
        tone: d.ok === false ? "warn" : "muted",
        label: "Tool",
        text: `The agent used ${String(d.tool)} for ${whoOn}${d.ok === false ? `, which failed: ${error ?? ""}` : ""}`,
      };
    case "agent.unavailable":
      return { tone: "bad", label: "No agent", text: `No agent could answer ${whoOn}: ${error ?? "unavailable"}` };
    case "reply.progress": {
      // The newest words matter while it grows: the end of the text, not its start.
      const text = (str(d.text) ?? "").replace(/\s+/g, " ").trim();
      return { tone: "muted", label: "Writing", text: `${whoOn} · the agent is writing: “${text.length > 160 ? `…${text.slice(-159)}` : text}”` };
    }
    case "reply.delivered":
      return { tone: "ok", label: "Delivered", text: `Reply delivered to ${whoOn}${tries(num(d.attempts))}` };
    case "reply.retrying":
      return {
        tone: "warn",
        label: "Delivery retrying",
        text: `The reply to ${whoOn} was not delivered yet (${error ?? "error"}); trying again${num(d.retryInMs) !== null ? ` in ${seconds(num(d.retryInMs) ?? 0)}` : ""}`,
      };
    case "reply.failed":
      return {
        tone: "bad",
        label: "Delivery failed",
        text: `The reply to ${whoOn} could not be delivered${tries(num(d.attempts))}: ${error ?? "unknown error"}`,
      };
    case "pairing.requested":
      return {
        tone: "warn",
        label: "Pairing",
        text: `${str(d.senderName) ?? who} on ${where} asked to use the agent (code ${String(d.code)}); approve it under Pairings`,
      };
    case "pairing.failed":
      return { tone: "warn", label: "Pairing", text: `${whoOn} sent a wrong pairing code${d.locked ? " and is now locked out" : ""}` };
    case "pairing.locked":
      return { tone: "bad", label: "Locked out", text: `${whoOn} is locked out after too many wrong pairing codes` };
    case "sender.paired":
      return { tone: "ok", label: "Paired", text: `${whoOn} can now use the agent${d.via === "invite" ? " (invite code)" : ""}` };
    case "budget.exceeded":
      return { tone: "bad", label: "Over budget", text: `${whoOn} was not answered: the budget is spent` };
    case "bridge.up":
      return { tone: "ok", label: "Bridge up", text: `Bridge ${str(d.name) ?? String(d.bridgeId)} connected` };
    case "bridge.down":
      return { tone: "bad", label: "Bridge down", text: `Bridge ${str(d.name) ?? String(d.bridgeId)} went offline${error ? `: ${words(error)}` : ""}` };
    case "channel.state":
      return {
        tone: d.state === "connected" ? "ok" : d.state === "failed" ? "bad" : "warn",
        label: "Channel",
        text: `${where} is ${words(d.state)}${error ? `: ${words(error)}` : ""}`,
      };
    case "job.run": {
      const ok = d.status === "ok";
      return {
        tone: ok ? "ok" : d.status === "retrying" ? "warn" : "bad",
        label: "Job",
        text: `A scheduled job ran ${ok ? "and finished" : d.status === "retrying" ? "and failed; it will try again" : `and failed: ${error ?? "unknown error"}`}${ok && e.channelId ? ` · result sent to ${whoOn}` : ""}${usage(d)}`,
      };
    }
    case "loop.started":
      return { tone: "muted", label: "Loop task", text: `Loop task ${str(d.name) ?? ""} started`.replace("  ", " ") };
    case "loop.iteration":
      return {
        tone: d.status === "failed" ? "bad" : "muted",
        label: "Loop task",
        text: `Loop task iteration ${String(d.iteration)} ${d.status === "failed" ? `failed: ${error ?? ""}` : "finished"}${usage(d)}`,
      };
    case "loop.finished":
      return {
        tone: d.reason === "completed" ? "ok" : d.reason === "error" ? "bad" : "warn",
        label: "Loop task",
        text: `Loop task ended after ${String(d.iterations)} iterations: ${LOOP_END_REASONS[String(d.reason)] ?? words(d.reason)}`,
      };
    case "loop.paused":
      return { tone: "warn", label: "Loop task", text: "Loop task paused: its budget is spent until the budget resets" };
    case "loop.resumed":
      return { tone: "muted", label: "Loop task", text: "Loop task resumed" };
    case "webhook.refused":
      return {
        tone: "bad",
        label: "Webhook refused",
        text: `A request to ${where}'s webhook was refused (${String(d.status)}): ${error ?? "failed verification"}`,
      };
    case "admin.action":
      return { tone: "muted", label: "Admin", text: `${str(d.user) ?? "An admin"} ${str(d.action) ?? `${String(d.method)} ${String(d.path)}`}` };
    default: {
      const text = str(d.text) ?? fallback(e);
      return {
        tone: /fail|error|refused|down|locked/.test(e.kind) ? "bad" : "muted",
        label: words(e.kind.split(".").pop() ?? e.kind),
        text: `${e.channelId ? `${whoOn} · ` : ""}${text}`,
      };
    }
  }
}
