/**
 * The gateway's own tools for a container run (docs/containers.md): the container's model asks
 * for remember_note, recall, schedule_job or current_time; the bridge relays the call through
 * the BridgeHub (which checks the turn was offered the tool) to the sender's object, which runs
 * it here exactly as a direct turn would, with this conversation's notes and the sender's jobs.
 * A note is stored at once (the container's later steps and the next turn see it).
 */
import { searchNotes } from "../src/agent/memory-store";
import { jobScheduler } from "../src/agent/schedule-job";
import { TOOLS, type ToolOutcome } from "../src/agent/tools";
import { openDb } from "../src/db/client";
import type { ConversationStore } from "./sender-session-conversation";

export interface GatewayToolInput {
  env: Env;
  sql: SqlStorage;
  conversation: ConversationStore;
  runId: string;
  name: string;
  input: unknown;
}

export async function runGatewayTool(i: GatewayToolInput): Promise<ToolOutcome> {
  // Only while the run's message still waits for it: a late call after a timeout changes nothing.
  const live = i.sql
    .exec<{ channel_id: string; sender_id: string }>(
      "SELECT i.channel_id, i.sender_id FROM container_waits w JOIN inbox i ON i.id = w.inbox_id WHERE w.run_id = ? AND w.result IS NULL",
      i.runId,
    )
    .toArray()[0];
  if (!live) return { content: "this run is no longer waiting for tools", isError: true };
  const tool = TOOLS.find((t) => t.name === i.name);
  if (!tool) return { content: `no gateway tool ${i.name}`, isError: true };
  const { memory } = i.conversation.current();
  const notesAdded: string[] = [];
  const outcome = await tool.run(i.input, {
    now: Date.now,
    notes: memory.notes,
    noteCount: memory.noteCount,
    notesAdded,
    recallNotes: (query) => searchNotes(i.sql, query),
    scheduleJob: jobScheduler(openDb(i.env.DB), live.channel_id, live.sender_id),
  });
  if (notesAdded.length) i.conversation.append([], { notesAdded }, Date.now());
  return outcome;
}
