/**
 * The container's only road to the model. A run's model requests arrive over its stdio; the
 * bridge rebuilds each one from the fields the Messages API needs (the model and output cap
 * are the run's, whatever the container asked; only client tools and inline content pass,
 * model-request-allowlist.ts), refuses it once the run's steps or token
 * budget are used up, adds the key and base URL from its own environment, and records each
 * attempt's usage for the gateway. The server tools and MCP servers the gateway gave the turn
 * (spec.serverTools, spec.mcpServers) are added here, with the beta header they need; the
 * container never names them, and never sees an MCP token. The ids of files code execution
 * created are noted from the API's answers (created-files.ts downloads them after the run). Transient failures (429 with a short retry-after, 5xx,
 * 529, timeouts, broken connections) are retried a few times; each attempt is a call record.
 */
import type { ContainerCall, ContainerTurnSpec } from "../../../src/protocol/container";
import { serverAdditions } from "../../../src/protocol/container-server-tools";
import { createdFileIds } from "../../../src/lib/created-files";
import { clientTools, containerRequestProblem, serverBlockKey, serverBlockKeys } from "./model-request-allowlist";
import type { ContainerSettings } from "./settings";

type Json = Record<string, unknown>;

export type ProxyAnswer = { ok: true; message: Json } | { ok: false; error: string; budget?: boolean };

const MAX_ATTEMPTS = 3;
const MAX_RETRY_WAIT_MS = 30_000;
const RETRYABLE = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
/** The server_tool_use names code execution runs under, counted as model-call.ts counts them. */
const CODE_EXECUTION_CALLS = new Set(["code_execution", "bash_code_execution", "text_editor_code_execution"]);

export interface ModelProxyOptions {
  settings: Pick<ContainerSettings, "apiKey" | "baseUrl" | "modelTimeoutMs">;
  spec: ContainerTurnSpec;
  /** First retry delay; doubles. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
}

/** Tokens the run is charged: uncached input, cache writes and output (as the gateway's budgets count). */
function chargedTokens(c: Pick<ContainerCall, "inputTokens" | "cacheWriteTokens" | "outputTokens">): number {
  return c.inputTokens + c.cacheWriteTokens + c.outputTokens;
}

export class ModelProxy {
  readonly calls: ContainerCall[] = [];
  private requests = 0;
  /** Files code execution created in this run, by id, from the API's answers only: the container cannot add one. */
  readonly createdFiles: string[] = [];
  /** Server-produced blocks the API returned in this run: only these may come back in a request. */
  private readonly serverBlocks = new Set<string>();
  private readonly additions: ReturnType<typeof serverAdditions>;

  constructor(private readonly o: ModelProxyOptions) {
    this.additions = serverAdditions(o.spec);
  }

  get usedTokens(): number {
    return this.calls.reduce((sum, c) => sum + chargedTokens(c), 0);
  }

  async call(asked: Json): Promise<ProxyAnswer> {
    const { spec, settings } = this.o;
    if (!settings.apiKey) return { ok: false, error: "the bridge has no ANTHROPIC_API_KEY set, so container runs cannot call the model" };
    if (++this.requests > spec.maxSteps) return { ok: false, error: `the run made more than ${spec.maxSteps} model requests` };
    const refused = containerRequestProblem(asked, (block) => this.serverBlocks.has(serverBlockKey(block)));
    if (refused) return { ok: false, error: `request refused by the bridge: ${refused}` };
    const remaining = spec.tokenBudget - this.usedTokens;
    if (remaining <= 0) return { ok: false, budget: true, error: `the run used its token budget (${spec.tokenBudget} tokens)` };
    const { tools: serverTools, mcpServers } = this.additions;
    const tools = [...(clientTools(asked.tools) ?? []), ...serverTools];
    const body: Json = {
      model: spec.model,
      max_tokens: Math.max(1, Math.min(spec.maxTokens, Number(asked.max_tokens) || spec.maxTokens, remaining)),
      system: asked.system,
      messages: asked.messages,
      ...(tools.length ? { tools } : {}),
      ...(asked.tool_choice !== undefined && tools.length ? { tool_choice: asked.tool_choice } : {}),
      ...(mcpServers.length ? { mcp_servers: mcpServers } : {}),
    };
    const answer = await this.send(JSON.stringify(body), "turn");
    if (answer.ok) {
      for (const key of serverBlockKeys(answer.message.content)) this.serverBlocks.add(key);
      for (const id of createdFileIds(answer.message.content as unknown[])) if (!this.createdFiles.includes(id)) this.createdFiles.push(id);
    }
    return answer;
  }

  /**
   * The history's summarising call (spec.compaction), made by the bridge before the container
   * starts: the request comes from the gateway's spec, not from the container, and is not one of
   * the run's steps; its tokens count toward the run's budget like any other call.
   */
  async summarise(): Promise<{ ok: true; summary: string } | { ok: false; error: string }> {
    const { spec, settings } = this.o;
    const asked = spec.compaction?.request;
    if (!asked) return { ok: false, error: "no compaction was asked for" };
    if (!settings.apiKey) return { ok: false, error: "the bridge has no ANTHROPIC_API_KEY set" };
    const body: Json = { model: spec.model, max_tokens: Math.min(Number(asked.max_tokens) || 1024, 4096), system: asked.system, messages: asked.messages };
    const answer = await this.send(JSON.stringify(body), "compaction");
    if (!answer.ok) return answer;
    const content = (answer.message.content ?? []) as Json[];
    const summary = content
      .flatMap((b) => (b.type === "text" && typeof b.text === "string" ? [b.text] : []))
      .join("\n")
      .trim();
    return summary ? { ok: true, summary } : { ok: false, error: "the model returned an empty summary" };
  }

  private async send(payload: string, purpose: "turn" | "compaction"): Promise<ProxyAnswer> {
    let lastError = "no attempt made";
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcome = await this.attempt(payload, attempt, purpose);
      if (outcome.ok) return outcome;
      lastError = outcome.error;
      if (!("retryAfterMs" in outcome) || outcome.retryAfterMs === undefined) break;
      if (attempt < MAX_ATTEMPTS) await new Promise((r) => setTimeout(r, outcome.retryAfterMs));
    }
    return { ok: false, error: lastError };
  }

  /** One HTTP attempt; `retryAfterMs` is set when trying again makes sense. */
  private async attempt(
    payload: string,
    attempt: number,
    purpose: "turn" | "compaction",
  ): Promise<ProxyAnswer | { ok: false; error: string; retryAfterMs?: number }> {
    const { settings, spec } = this.o;
    const started = Date.now();
    const backoff = (this.o.retryBaseMs ?? 1000) * 2 ** (attempt - 1);
    const record = (usage: Json | undefined, stopReason: string | null, error?: string, content: Json[] = []) => {
      const cacheCreation = (usage?.cache_creation ?? {}) as Json;
      const serverUse = (usage?.server_tool_use ?? {}) as Json;
      // The API's usage has no code-execution count: the calls the model made are counted.
      const serverUses = content.flatMap((b) => (b.type === "server_tool_use" && typeof b.name === "string" ? [b.name.slice(0, 64)] : [])).slice(0, 100);
      const codeRuns = serverUses.filter((name) => CODE_EXECUTION_CALLS.has(name)).length;
      this.calls.push({
        at: started,
        model: spec.model,
        inputTokens: num(usage?.input_tokens),
        outputTokens: num(usage?.output_tokens),
        cacheWriteTokens: num(usage?.cache_creation_input_tokens),
        cacheWrite1hTokens: num(cacheCreation.ephemeral_1h_input_tokens),
        cacheReadTokens: num(usage?.cache_read_input_tokens),
        latencyMs: Date.now() - started,
        stopReason,
        status: error ? "error" : "ok",
        ...(purpose === "compaction" ? { purpose } : {}),
        ...(num(serverUse.web_search_requests) ? { webSearchRequests: num(serverUse.web_search_requests) } : {}),
        ...(num(serverUse.web_fetch_requests) ? { webFetchRequests: num(serverUse.web_fetch_requests) } : {}),
        ...(codeRuns ? { codeExecutionRequests: codeRuns } : {}),
        ...(serverUses.length ? { serverTools: serverUses } : {}),
        ...(error ? { error: error.slice(0, 1000) } : {}),
      });
    };
    let res: Response;
    try {
      res = await (this.o.fetch ?? fetch)(`${settings.baseUrl}/v1/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": settings.apiKey!,
          "anthropic-version": "2023-06-01",
          ...(purpose === "turn" && this.additions.betas.length ? { "anthropic-beta": this.additions.betas.join(",") } : {}),
        },
        body: payload,
        signal: AbortSignal.timeout(settings.modelTimeoutMs),
      });
    } catch (err) {
      const error =
        err instanceof Error && err.name === "TimeoutError" ? `no answer within ${settings.modelTimeoutMs} ms` : `connection failed: ${String(err)}`;
      record(undefined, null, error);
      return { ok: false, error, retryAfterMs: backoff };
    }
    const text = await res.text().catch(() => "");
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      // an error page; reported below by status
    }
    if (res.ok && Array.isArray(json.content)) {
      record(json.usage as Json | undefined, typeof json.stop_reason === "string" ? json.stop_reason : null, undefined, json.content as Json[]);
      return { ok: true, message: json };
    }
    const apiError = (json.error as Json | undefined)?.message;
    const error = `Messages API ${res.status}${apiError ? `: ${String(apiError)}` : ""}`;
    record(json.usage as Json | undefined, null, error);
    if (!RETRYABLE.has(res.status)) return { ok: false, error };
    const header = res.headers.get("retry-after");
    const retryAfter = header === null ? Number.NaN : Number(header);
    // A 429 without retry-after is a spend or usage limit: waiting will not help.
    if (res.status === 429 && !Number.isFinite(retryAfter)) return { ok: false, error };
    const waitMs = Number.isFinite(retryAfter) ? Math.max(retryAfter * 1000, backoff) : backoff;
    return waitMs > MAX_RETRY_WAIT_MS ? { ok: false, error } : { ok: false, error, retryAfterMs: waitMs };
  }
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}
