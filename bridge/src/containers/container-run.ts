/**
 * One agent run in one fresh container: creates the sender's workspace volume if needed,
 * starts the hardened container (docker-args.ts) with stdin and stdout attached, hands it the
 * turn, answers its model requests through the ModelProxy, relays its calls of the gateway's
 * own tools to the gateway and back, passes its tool calls on as events,
 * and kills it at the run's deadline or on cancellation. An answered run's files are those the
 * agent sent, then those code execution created (downloaded here with the bridge's key). The container is removed in every
 * case (`--rm`, then `docker rm -f` to be sure); the key never crosses its stdin.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { ContainerAnswerBlock, ContainerOutcome, ContainerTurnFrame, ContainerTurnResult } from "../../../src/protocol/container";
import { specForContainer } from "../../../src/protocol/container-server-tools";
import { checkAgentFiles, RUNNER_FILE_LIMITS } from "./agent-files";
import { withCreatedFiles } from "./created-files";
import { containerName, dockerRunArgs, workspaceVolume } from "./docker-args";
import { ensureVolume, removeContainer } from "./docker";
import { ModelProxy } from "./model-proxy";
import type { ContainerSettings } from "./settings";

type Json = Record<string, unknown>;

export interface RunHooks {
  started(detail: Json): void;
  tool(detail: Json): void;
  /** The history was summarised (or that failed) before the container started. */
  compacted(detail: Json): void;
  /** Runs one of the gateway's own tools through the link (the gateway checks the turn was offered it). */
  gatewayTool(name: string, input: unknown): Promise<{ content: string; isError?: boolean }>;
}

export interface ContainerRunInput {
  turn: ContainerTurnFrame;
  settings: ContainerSettings;
  /** Labels the container as this bridge's, for clean-up after a crash. */
  instance: string;
  hooks: RunHooks;
  /** Aborted when the gateway cancels the run or the bridge stops. */
  signal: AbortSignal;
  /** Time spent waiting for a slot, reported with the result. */
  queuedMs: number;
  /** Loop mode: the mounted workspace folder to bind at /workspace (no Docker volume is made). */
  workspaceDir?: string;
}

const STDERR_TAIL_BYTES = 2000;
/** A runner that writes more than this is not talking the protocol (or is trying to exhaust the bridge). */
const MAX_STDOUT_BYTES = 64 * 1024 * 1024;

export async function runInContainer(input: ContainerRunInput): Promise<ContainerTurnResult> {
  const { turn, settings, hooks, signal } = input;
  const proxy = new ModelProxy({ settings, spec: turn.spec });
  const started = Date.now();
  let compaction: ContainerTurnResult["compaction"];
  const result = (
    outcome: ContainerOutcome,
    extra: {
      text?: string;
      answer?: ContainerTurnResult["answer"];
      error?: string;
      steps?: number;
      toolCalls?: number;
      files?: ContainerTurnResult["files"];
      skippedFiles?: ContainerTurnResult["skippedFiles"];
      workspace?: ContainerTurnResult["workspace"];
    },
  ): ContainerTurnResult => ({
    outcome,
    calls: proxy.calls,
    ...(compaction ? { compaction } : {}),
    steps: extra.steps ?? proxy.calls.filter((c) => c.purpose !== "compaction").length,
    toolCalls: extra.toolCalls ?? 0,
    queuedMs: input.queuedMs,
    runMs: Date.now() - started,
    ...(extra.text !== undefined ? { text: extra.text } : {}),
    ...(extra.answer ? { answer: extra.answer } : {}),
    ...(extra.files?.length ? { files: extra.files } : {}),
    ...(extra.skippedFiles?.length ? { skippedFiles: extra.skippedFiles } : {}),
    ...(extra.error ? { error: extra.error.slice(0, 2000) } : {}),
    ...(extra.workspace ? { workspace: extra.workspace } : {}),
  });

  // The gateway's deadline can be nearer than the bridge's own limit (the run waited in the queue).
  const timeoutMs = Math.min(settings.timeoutMs, Math.max(1000, turn.expiresAt - Date.now()));
  const volume = workspaceVolume(turn.channelId, turn.senderId);
  const created = input.workspaceDir ? { ok: true, stderr: "" } : await ensureVolume(settings.docker, volume, turn.channelId);
  if (!created.ok) return result("failed", { error: `could not create the workspace volume: ${created.stderr.trim()}` });
  if (signal.aborted) return result(abortOutcome(signal), { error: String(signal.reason ?? "stopped") });

  // History past its budget: the new summary first, so this turn's context block already has it.
  let spec = turn.spec;
  if (spec.compaction) {
    const asked = spec.compaction;
    const summarised = await proxy.summarise();
    if (summarised.ok) compaction = { summary: summarised.summary, throughSeq: asked.throughSeq, compactedTurns: asked.compactedTurns };
    hooks.compacted({ ok: summarised.ok, compactedTurns: asked.compactedTurns, ...(summarised.ok ? {} : { error: summarised.error }) });
    const summary = summarised.ok ? summarised.summary : asked.fallback;
    // Only the first marker (the summary's place; notes come after it and may quote anyone).
    let replaced = false;
    const system = spec.system.map((block) => {
      if (replaced || typeof block.text !== "string" || !block.text.includes(asked.marker)) return block;
      replaced = true;
      return { ...block, text: block.text.replace(asked.marker, () => summary) };
    });
    const { compaction: _done, ...rest } = spec;
    spec = { ...rest, system };
  }

  const name = containerName(turn.id);
  const child = spawn(settings.docker, dockerRunArgs({ name, runId: turn.id, instance: input.instance, volume, workspaceDir: input.workspaceDir, settings }), {
    stdio: ["pipe", "pipe", "pipe"],
  });
  hooks.started({ container: name, volume, timeoutMs, memory: settings.memory, cpus: settings.cpus });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString("utf8")).slice(-STDERR_TAIL_BYTES)));
  child.stdin.on("error", () => {
    // The container is gone; its exit decides the outcome.
  });
  const send = (frame: Json) => {
    if (!child.stdin.destroyed) child.stdin.write(`${JSON.stringify(frame)}\n`);
  };

  let done: Json | null = null;
  let stopped: ContainerOutcome | null = null;
  let stopReason = "";
  const kill = (why: ContainerOutcome, reason = "") => {
    if (stopped || child.exitCode !== null) return;
    stopped = why;
    stopReason = reason;
    child.stdin.end();
    void removeContainer(settings.docker, name);
  };
  const timer = setTimeout(() => kill("timeout"), timeoutMs);
  const onAbort = () => kill(abortOutcome(signal));
  signal.addEventListener("abort", onAbort);

  let stdoutBytes = 0;
  child.stdout.on("data", (d: Buffer) => {
    stdoutBytes += d.length;
    if (stdoutBytes > MAX_STDOUT_BYTES) kill("failed", `the container wrote more than ${MAX_STDOUT_BYTES} bytes to the bridge`);
  });
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on("line", (line) => {
    let frame: Json;
    try {
      frame = JSON.parse(line) as Json;
    } catch {
      return;
    }
    if (frame.t === "model" && typeof frame.request === "object" && frame.request !== null) {
      void proxy.call(frame.request as Json).then((answer) => send({ t: "model.result", n: frame.n, ...answer }));
    } else if (frame.t === "gateway.tool" && typeof frame.name === "string") {
      const n = frame.n;
      // Only what the gateway offered this turn is relayed; the runner is not trusted to say.
      const answer = (turn.spec.gatewayTools ?? []).includes(frame.name)
        ? hooks.gatewayTool(frame.name, frame.input)
        : Promise.resolve({ content: `tool ${frame.name} is not available in this run`, isError: true });
      void answer.then((out) => send({ t: "gateway.tool.result", n, ...out }));
    } else if (frame.t === "tool") {
      hooks.tool({ tool: frame.name, ok: frame.ok === true, step: frame.step, ms: frame.ms });
    } else if (frame.t === "done") {
      done = frame;
      child.stdin.end();
    }
  });

  const quota = settings.workspaceQuotaBytes > 0 ? { workspaceBytes: settings.workspaceQuotaBytes } : {};
  // The container gets the turn without the server tools and MCP servers: the proxy adds those
  // to each request itself, and an MCP token must never be readable inside the container.
  send({
    t: "start",
    spec: specForContainer(spec),
    limits: { outputBytes: settings.outputBytes, commandTimeoutMs: settings.commandTimeoutMs, writeBytes: 1024 * 1024, ...RUNNER_FILE_LIMITS, ...quota },
  });
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on("close", (code) => resolve(code));
    child.on("error", (err) => {
      stderr += String(err);
      resolve(null);
    });
  });
  clearTimeout(timer);
  signal.removeEventListener("abort", onAbort);
  // --rm removes it on a normal exit; after a kill or a failed attach it may still be there.
  await removeContainer(settings.docker, name);

  const final = done as Json | null;
  const counts = { steps: Number(final?.steps ?? proxy.calls.length), toolCalls: Number(final?.toolCalls ?? 0), ...reportedSize(final, settings) };
  if (stopped === "timeout") return result("timeout", { ...counts, error: `killed after ${timeoutMs} ms (CONTAINER_TIMEOUT_MS)` });
  if (stopped) return result(stopped, { ...counts, error: stopReason || String(signal.reason ?? "stopped") });
  if (!final) return result("failed", { ...counts, error: `the container exited (code ${exitCode}) without an answer: ${stderr.trim() || "no output"}` });
  if (final.quota === true && counts.workspace)
    return result("quota", { ...counts, error: `workspace over quota: ${counts.workspace.usedBytes} of ${counts.workspace.quotaBytes} bytes` });
  if (final.ok === true) {
    const checked = checkAgentFiles(final.files);
    const made = await withCreatedFiles(checked.files, proxy.createdFiles, settings, signal);
    const left = [...checked.dropped, ...(made.unnamed ? [made.unnamed] : [])];
    const error = left.length ? `files left out: ${left.join("; ")}` : undefined;
    return result("answered", {
      ...counts,
      text: String(final.text ?? ""),
      answer: answerBlocks(final),
      files: made.files,
      skippedFiles: made.skippedFiles,
      error,
    });
  }
  return result(final.budget === true ? "budget" : "failed", { ...counts, error: String(final.error ?? "the run failed") });
}

/**
 * The answer's blocks as the gateway formats them (citations, src/agent/reply-text.ts): of each,
 * only what the formatting reads, so search results' pages of encrypted content stay here.
 */
function answerBlocks(final: Json): ContainerTurnResult["answer"] {
  if (!Array.isArray(final.content)) return undefined;
  const blocks: ContainerAnswerBlock[] = [];
  for (const b of final.content.slice(0, 1_000) as Json[]) {
    if (typeof b?.type !== "string") continue;
    const type = b.type.slice(0, 64);
    if (type === "text" && typeof b.text === "string") {
      const citations = Array.isArray(b.citations) ? (b.citations as Json[]).slice(0, 200).map(citation) : undefined;
      blocks.push({ type, text: b.text.slice(0, 200_000), ...(citations?.length ? { citations } : {}) });
      continue;
    }
    const page = b.content as Json | undefined;
    if (type === "web_fetch_tool_result" && page?.type === "web_fetch_result" && typeof page.url === "string") {
      const title = (page.content as Json | undefined)?.title;
      blocks.push({
        type,
        content: { type: page.type, url: page.url.slice(0, 4_000), content: { title: typeof title === "string" ? title.slice(0, 2_000) : null } },
      });
      continue;
    }
    blocks.push({ type });
  }
  return { blocks, stopReason: typeof final.stopReason === "string" ? final.stopReason.slice(0, 50) : null };
}

/** A citation's fields the sources list reads; the cited text and encrypted index stay behind. */
function citation(c: Json): Json {
  const keep = ["type", "url", "title", "document_title", "document_index"];
  return Object.fromEntries(
    keep.filter((k) => typeof c[k] === "string" || typeof c[k] === "number").map((k) => [k, typeof c[k] === "string" ? String(c[k]).slice(0, 4_000) : c[k]]),
  );
}

/**
 * The size the runner reported, kept only when it is plausible and about the quota this bridge
 * set: the runner is the bridge's own image, but its numbers still cross a process boundary.
 */
function reportedSize(final: Json | null, settings: ContainerSettings): { workspace?: ContainerTurnResult["workspace"] } {
  const reported = final?.workspace as Json | undefined;
  const usedBytes = Number(reported?.usedBytes);
  if (settings.workspaceQuotaBytes <= 0 || !Number.isSafeInteger(usedBytes) || usedBytes < 0) return {};
  return { workspace: { usedBytes, quotaBytes: settings.workspaceQuotaBytes } };
}

/** The bridge stopping interrupts a run; the gateway cancelling it cancels it. */
function abortOutcome(signal: AbortSignal): ContainerOutcome {
  return signal.reason === "cancelled" ? "cancelled" : "interrupted";
}
