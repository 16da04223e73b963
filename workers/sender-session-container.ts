/**
 * Container mode inside the sender's object (docs/containers.md). Instead of calling the model,
 * stage 7 hands the turn to a bridge's BridgeHub and the message waits (inbox state `waiting`,
 * the messages behind it too: a conversation stays in order). The bridge's result comes back
 * through `SenderSession.containerResult`, or the wait times out (AGENT_CONTAINER_RESULT_TIMEOUT_MS)
 * and the sender is told; either way the turn is then recorded like a direct one.
 */
import { containerTurnResult, type ContainerTurnResult } from "../src/protocol/container";
import { containerSpec, containerStageOutput, containerTarget } from "../src/agent/container-turn";
import { mcpSealedGrants } from "../src/agent/mcp-servers";
import { activeHistory, loadAgentMemory } from "../src/agent/memory-store";
import { mediaRefused, mediaStage, type AgentStageInput, type AgentStageOutput } from "../src/agent/pipeline-turn";
import { USER_MESSAGES } from "../src/agent/retry-policy";
import { DEFAULT_SYSTEM_PROMPT } from "../src/agent/system-prompt.generated";
import { trustTier } from "../src/agent/trust";
import { ZERO_USAGE } from "../src/agent/types";
import type { GatewayConfig } from "../src/config";
import { feedEvent } from "../src/db/feed-events";
import { bridgeHub } from "../src/objects/addresses";
import { publishEvents } from "./live-feed";

type WaitRow = {
  inbox_id: string;
  run_id: string;
  bridge_id: string;
  model: string;
  text: string;
  /** The sender's object's own state for the message (record so far, reply route), as JSON. */
  pending: string;
  dispatched_at: number;
  deadline: number;
  result: string | null;
};

export function migrateContainerWaits(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS container_waits (
    inbox_id TEXT PRIMARY KEY, run_id TEXT NOT NULL UNIQUE, bridge_id TEXT NOT NULL, model TEXT NOT NULL, text TEXT NOT NULL,
    pending TEXT NOT NULL, dispatched_at INTEGER NOT NULL, deadline INTEGER NOT NULL, result TEXT
  )`);
}

export type ContainerDispatch = { kind: "direct" } | { kind: "done"; stage: AgentStageOutput } | { kind: "waiting" };

/**
 * Stage 7 in container mode, after the budget check: the turn to the bridge. `direct` when the
 * channel runs in the Worker; `done` when the turn ended here (no bridge to take it);
 * `waiting` when the bridge has it: the caller marks the message `waiting`.
 */
export async function dispatchContainerTurn(
  input: AgentStageInput & { env: Env; cfg: GatewayConfig; sql: SqlStorage; inboxId: string; pending: string },
): Promise<ContainerDispatch> {
  const { channel, senderId, runId, now, cfg } = input;
  const target = containerTarget(cfg, channel.agent, channel.config);
  if (target.mode === "direct") return { kind: "direct" };
  const memory = loadAgentMemory(input.sql);
  // Files are checked and read here as for a direct turn; pictures and documents go to the container's
  // model inline. They are not kept in R2: a container turn records no media rows to prune them by.
  const prepared = input.attachments?.length ? await mediaStage({ ...input, media: { ai: input.media?.ai } }) : null;
  if (prepared?.kind === "refused") return { kind: "done", stage: mediaRefused(input, prepared) };
  const text = prepared?.notes.length ? `${input.text}\n${prepared.notes.join("\n")}` : input.text;
  const trust = trustTier(channel.type, channel.policy);
  // Tokens stay sealed here and in the hub's queue; the hub opens them as it sends the turn.
  const mcpServers = await mcpSealedGrants(input.db, channel.agent?.mcpServers, trust);
  const spec = containerSpec({
    cfg,
    mcpServers,
    systemPrompt: DEFAULT_SYSTEM_PROMPT,
    settings: channel.agent,
    channelType: channel.type,
    channelName: channel.name,
    senderId,
    senderName: input.senderName,
    trust,
    memory,
    history: activeHistory(input.sql, memory.summaryThroughSeq),
    text,
    ...(prepared?.images.length ? { images: prepared.images } : {}),
    ...(prepared?.documents.length ? { documents: prepared.documents } : {}),
  });
  if (target.mode === "misconfigured") return { kind: "done", stage: refused(input, spec.model, target.error) };
  const deadline = now + cfg.AGENT_CONTAINER_RESULT_TIMEOUT_MS;
  // Written before the hub has the turn, so a result can never arrive for a wait not yet stored.
  input.sql.exec(
    `INSERT OR REPLACE INTO container_waits (inbox_id, run_id, bridge_id, model, text, pending, dispatched_at, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    input.inboxId,
    runId,
    target.bridgeId,
    spec.model,
    text,
    input.pending,
    now,
    deadline,
  );
  const queued = await bridgeHub(input.env, target.bridgeId).runTurn(target.bridgeId, {
    t: "turn",
    id: runId,
    channelId: channel.id,
    senderId,
    expiresAt: deadline,
    spec,
  });
  if (!queued.ok) {
    input.sql.exec("DELETE FROM container_waits WHERE inbox_id = ?", input.inboxId);
    return { kind: "done", stage: refused(input, spec.model, queued.error) };
  }
  await publishEvents(input.env, [
    feedEvent("container.dispatched", channel.id, senderId, { runId, bridgeId: target.bridgeId, model: spec.model, deadline }, now),
  ]);
  return { kind: "waiting" };
}

/** The turn could not be handed to a bridge: a failed run the admin sees, a plain notice for the sender. */
function refused(input: AgentStageInput, model: string, error: string): AgentStageOutput {
  const { channel, senderId, runId, now } = input;
  return {
    reply: { text: USER_MESSAGES.unavailable, kind: "reply" },
    apiCalls: [],
    turns: [],
    memory: null,
    overBudget: false,
    run: { id: runId, status: "failed", model, usage: ZERO_USAGE, latencyMs: 0, error },
    events: [feedEvent("agent.unavailable", channel.id, senderId, { runId, mode: "container", error, adminAction: true }, now)],
  };
}

/** Stores a bridge's result for the message waiting on it; false when nothing waits (late or duplicate). */
export function storeContainerResult(sql: SqlStorage, runId: string, result: ContainerTurnResult): boolean {
  const parsed = containerTurnResult.safeParse(result);
  if (!parsed.success) throw new Error(`invalid container result: ${parsed.error.issues[0]?.message}`);
  return sql.exec("UPDATE container_waits SET result = ? WHERE run_id = ? AND result IS NULL", JSON.stringify(parsed.data), runId).rowsWritten > 0;
}

/** When the waiting message needs the alarm: now once its result is in, else at its deadline. */
export function containerWakeAt(sql: SqlStorage, inboxId: string, now: number): number {
  const row = sql
    .exec<{ deadline: number; has: number }>("SELECT deadline, result IS NOT NULL AS has FROM container_waits WHERE inbox_id = ?", inboxId)
    .toArray()[0];
  if (!row || row.has) return now;
  return Math.max(now, row.deadline);
}

/**
 * The finished turn for a waiting message: the bridge's result, or at the deadline a timeout
 * (and the bridge is told to drop the run). Null while it is still running. Removes the wait.
 */
export async function takeContainerOutcome(
  env: Env,
  sql: SqlStorage,
  inboxId: string,
  channelId: string,
  senderId: string,
  now: number,
): Promise<{ stage: AgentStageOutput; pending: string } | null> {
  const row = sql.exec<WaitRow>("SELECT * FROM container_waits WHERE inbox_id = ?", inboxId).toArray()[0];
  if (!row) return null;
  let result: ContainerTurnResult;
  if (row.result) result = JSON.parse(row.result) as ContainerTurnResult;
  else if (now >= row.deadline) {
    await bridgeHub(env, row.bridge_id).cancelTurn(row.run_id);
    result = {
      outcome: "expired",
      error: `no result from bridge ${row.bridge_id} within ${row.deadline - row.dispatched_at} ms (AGENT_CONTAINER_RESULT_TIMEOUT_MS)`,
      calls: [],
      steps: 0,
      toolCalls: 0,
      queuedMs: 0,
      runMs: 0,
    };
  } else return null;
  const stage = containerStageOutput({
    channelId,
    senderId,
    runId: row.run_id,
    bridgeId: row.bridge_id,
    model: row.model,
    text: row.text,
    dispatchedAt: row.dispatched_at,
    result,
  });
  sql.exec("DELETE FROM container_waits WHERE inbox_id = ?", inboxId);
  return { stage, pending: row.pending };
}
