/**
 * The agent's tools. Each declares whether it has side effects; by default admin and paired
 * senders get every tool, public and e-mail senders only the side-effect-free ones. A channel's
 * `tools` setting is an explicit allow list that replaces the default (the admin opting in).
 * Definitions are emitted sorted by name so the request prefix stays byte-stable.
 */
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import type { ToolName } from "./tool-names";
import type { RecallNotes, ScheduleJob } from "./types";
import type { TrustTier } from "./trust";

/** Notes a sender's conversation may hold (the newest are in every request, `recall` finds the rest); new ones are refused past this. */
export const MAX_NOTES = 500;
export const MAX_NOTE_CHARS = 500;

export interface ToolContext {
  now: () => number;
  /** The newest notes stored for this conversation (those in the context block). */
  notes: readonly string[];
  /** How many notes are stored in all; `notes.length` when unset. */
  noteCount?: number;
  /** Present when the conversation's notes can be searched. */
  recallNotes?: RecallNotes;
  /** Notes saved during this turn; the session persists them with the turn. */
  notesAdded: string[];
  /** Present when the gateway can create scheduler jobs for this sender. */
  scheduleJob?: ScheduleJob;
}

export interface ToolOutcome {
  content: string;
  isError?: boolean;
}

export interface AgentTool {
  name: ToolName;
  description: string;
  inputSchema: Tool["input_schema"];
  /** True when running it changes something outside the conversation's reply. */
  sideEffects: boolean;
  /** A capability the turn must provide for the tool to be offered. */
  requires?: "scheduleJob" | "recallNotes";
  run(input: unknown, ctx: ToolContext): ToolOutcome | Promise<ToolOutcome>;
}

function field(input: unknown, name: string): string {
  const value = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[name] : undefined;
  return typeof value === "string" ? value : "";
}

const currentTime: AgentTool = {
  name: "current_time",
  description: "The current date and time. Optionally in an IANA time zone such as Europe/Paris; UTC otherwise.",
  inputSchema: { type: "object", properties: { timezone: { type: "string", description: "IANA time zone name, e.g. America/New_York" } } },
  sideEffects: false,
  run(input, ctx) {
    const tz = typeof input === "object" && input !== null && "timezone" in input && typeof input.timezone === "string" ? input.timezone : "UTC";
    const now = new Date(ctx.now());
    try {
      const local = new Intl.DateTimeFormat("en-GB", { timeZone: tz, dateStyle: "full", timeStyle: "long" }).format(now);
      return { content: JSON.stringify({ utc: now.toISOString(), timezone: tz, local }) };
    } catch {
      return { content: `unknown time zone "${tz}"; use an IANA name such as Europe/Paris`, isError: true };
    }
  },
};

const rememberNote: AgentTool = {
  name: "remember_note",
  description: "Save a short fact about this conversation (a preference, a name, a date) that you will still see after older messages are summarised.",
  inputSchema: { type: "object", properties: { note: { type: "string", description: `The fact, at most ${MAX_NOTE_CHARS} characters` } }, required: ["note"] },
  sideEffects: true,
  run(input, ctx) {
    const note = field(input, "note").trim();
    if (!note) return { content: "note is required", isError: true };
    if (note.length > MAX_NOTE_CHARS) return { content: `note is longer than ${MAX_NOTE_CHARS} characters; shorten it`, isError: true };
    if ((ctx.noteCount ?? ctx.notes.length) + ctx.notesAdded.length >= MAX_NOTES)
      return { content: `this conversation already has ${MAX_NOTES} notes; no more can be saved`, isError: true };
    ctx.notesAdded.push(note);
    return { content: "saved" };
  },
};

const recall: AgentTool = {
  name: "recall",
  description:
    "Search every note you saved about this person with remember_note, including old ones no longer listed in the context. Give a few keywords; the best matches come first.",
  inputSchema: { type: "object", properties: { query: { type: "string", description: "Keywords, e.g. birthday sister" } }, required: ["query"] },
  sideEffects: false,
  requires: "recallNotes",
  run(input, ctx) {
    const query = field(input, "query").trim();
    if (!query) return { content: "query is required", isError: true };
    if (!ctx.recallNotes) return { content: "notes cannot be searched here", isError: true };
    const found = ctx.recallNotes(query.slice(0, 500));
    // Notes saved earlier in this very turn are not in the index yet.
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const fresh = ctx.notesAdded.filter((n) => words.some((w) => n.toLowerCase().includes(w))).map((text) => ({ text, at: ctx.now() }));
    const notes = [...fresh, ...found].map((n) => ({ note: n.text, saved: new Date(n.at).toISOString() }));
    return { content: notes.length ? JSON.stringify({ notes }) : "no saved note matches" };
  },
};

const scheduleJob: AgentTool = {
  name: "schedule_job",
  description:
    "Schedule a recurring task for this person: at each time of the cron expression the prompt is run and the answer is sent to them here. Use standard 5-field cron (minute hour day-of-month month day-of-week).",
  inputSchema: {
    type: "object",
    properties: {
      name: { type: "string", description: "Short name, e.g. Morning weather" },
      cron: { type: "string", description: "Cron expression, e.g. 0 8 * * 1-5" },
      timezone: { type: "string", description: "IANA time zone of the person; UTC when unknown" },
      prompt: { type: "string", description: "What to do each time, written as a request to yourself" },
    },
    required: ["name", "cron", "prompt"],
  },
  sideEffects: true,
  requires: "scheduleJob",
  async run(input, ctx) {
    if (!ctx.scheduleJob) return { content: "scheduling is not available here", isError: true };
    const result = await ctx.scheduleJob({
      name: field(input, "name"),
      cron: field(input, "cron"),
      timezone: field(input, "timezone") || undefined,
      prompt: field(input, "prompt"),
    });
    if (!result.ok) return { content: result.error, isError: true };
    return { content: JSON.stringify({ scheduled: result.jobId, nextRuns: result.nextRuns.map((t) => new Date(t).toISOString()) }) };
  },
};

export const TOOLS: readonly AgentTool[] = [currentTime, recall, rememberNote, scheduleJob].sort((a, b) => a.name.localeCompare(b.name));

/** The tools this sender may use: the channel's explicit allow list, or the tier's default; never one whose capability is missing. */
export function toolsFor(
  tier: TrustTier,
  allowList: readonly string[] | null | undefined,
  capabilities: { scheduleJob?: unknown; recallNotes?: unknown } = {},
): AgentTool[] {
  const available = TOOLS.filter((t) => !t.requires || capabilities[t.requires] !== undefined);
  if (allowList) return available.filter((t) => allowList.includes(t.name));
  return available.filter((t) => tier !== "public" || !t.sideEffects);
}

export function toolDefinitions(tools: readonly AgentTool[]): Tool[] {
  return tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema }));
}
