/**
 * One agent turn inside its container: model → tools → model until the model ends its turn,
 * at most `maxSteps` model calls (the last one without tools). It knows no key and no URL:
 * each model request is a line to the bridge, which adds the key, enforces the run's budget,
 * calls the Messages API and answers with the message. Tool calls are reported as they happen.
 *
 * The gateway's own tools (notes, recall, schedule_job, the clock; `spec.gatewayTools`) are not
 * run here: each call is a `gateway.tool` line, answered by the bridge once the gateway ran it.
 * Server tools and MCP servers run at Anthropic: the bridge adds them to each request, and their
 * blocks (`server_tool_use`, `web_search_tool_result`, `mcp_tool_use`, ...) are passed back
 * untouched. A turn the API paused (`pause_turn`) is continued by sending its content back as
 * the assistant's, with no new user message. The answer's blocks go back with `done` so the
 * bridge formats its citations as a direct turn's are (src/agent/reply-text.ts).
 *
 * stdin:  {t:"start", spec, limits}, then {t:"model.result", n, ok, message | error}, {t:"gateway.tool.result", n, content, isError}
 * stdout: {t:"model", n, request}, {t:"gateway.tool", n, name, input}, {t:"tool", ...}, then {t:"done", ok, text | error, content?, steps, toolCalls, files?, workspace?}
 *
 * With a quota (limits.workspaceBytes) the workspace is measured before the first model call:
 * over it, the run ends at once with {ok:false, quota:true, workspace:{usedBytes, quotaBytes}}.
 * Every `done` then reports the size the run left behind.
 */
import { stdioLink, type Json } from "./stdio-link.ts";
import type { SentFile } from "./send-file.ts";
import { knownTool, runTool, type ToolLimits } from "./tools.ts";
import { workspaceBytes } from "./workspace-size.ts";

interface Spec {
  model: string;
  maxTokens: number;
  maxSteps: number;
  system: Json[];
  messages: Json[];
  tools: Json[];
  gatewayTools?: string[];
}

type Block = Json & { type: string };

const WORKSPACE = process.env.LOOPGATE_WORKSPACE ?? "/workspace";
const EPHEMERAL = { type: "ephemeral" };

/** The rolling cache breakpoint goes on the last block of the last message only (see src/agent/prompt.ts). */
function withTailBreakpoint(messages: readonly Json[]): Json[] {
  return messages.map((m, i) => {
    if (i !== messages.length - 1 || !Array.isArray(m.content)) return m;
    const blocks = m.content as Json[];
    return { ...m, content: blocks.map((b, j) => (j === blocks.length - 1 ? { ...b, cache_control: EPHEMERAL } : b)) };
  });
}

/** A continuation after pause_turn extends the paused assistant message instead of adding a second one (as src/agent/claude.ts). */
function pushAssistant(messages: Json[], content: Block[]): void {
  const last = messages.at(-1);
  if (last?.role === "assistant" && Array.isArray(last.content)) messages[messages.length - 1] = { role: "assistant", content: [...last.content, ...content] };
  else messages.push({ role: "assistant", content });
}

function textOf(content: Block[]): string {
  return content
    .flatMap((b) => (b.type === "text" && typeof b.text === "string" ? [b.text] : []))
    .join("\n")
    .trim();
}

async function main(): Promise<void> {
  const link = stdioLink();
  const start = await link.next();
  if (!start || start.t !== "start") return;
  const spec = start.spec as Spec;
  const limits = start.limits as ToolLimits;
  let toolCalls = 0;
  const sent: SentFile[] = [];
  const quota = limits.workspaceBytes;
  const sizeNow = async (): Promise<Json> => (quota === undefined ? {} : { workspace: { usedBytes: await workspaceBytes(WORKSPACE), quotaBytes: quota } });
  const done = async (frame: Json, steps: number) => link.send({ t: "done", steps, toolCalls, ...(await sizeNow()), ...frame });

  if (quota !== undefined) {
    const usedBytes = await workspaceBytes(WORKSPACE);
    if (usedBytes > quota) return done({ ok: false, quota: true, error: "the workspace is over its quota", workspace: { usedBytes, quotaBytes: quota } }, 0);
  }

  const gatewayTools = new Set(spec.gatewayTools ?? []);
  for (const tool of spec.tools) {
    const name = String(tool.name);
    if (!knownTool(name) && !gatewayTools.has(name)) return done({ ok: false, error: `this runner has no tool ${name}` }, 0);
  }
  let relayed = 0;
  /** One gateway tool call through the bridge; the answer comes back on stdin before anything else is asked. */
  const viaGateway = async (name: string, input: unknown): Promise<{ content: string; isError?: boolean } | null> => {
    const n = ++relayed;
    link.send({ t: "gateway.tool", n, name, input });
    const answer = await link.next();
    if (!answer) return null;
    if (answer.t !== "gateway.tool.result" || answer.n !== n) return { content: "unexpected answer from the bridge", isError: true };
    return { content: String(answer.content ?? ""), ...(answer.isError === true ? { isError: true } : {}) };
  };
  const messages: Json[] = [...spec.messages];
  /** The answer so far when the API paused a long server-tool turn (pause_turn). */
  let paused: Block[] = [];
  for (let step = 1; step <= spec.maxSteps; step++) {
    const lastStep = step === spec.maxSteps;
    const request: Json = {
      model: spec.model,
      max_tokens: spec.maxTokens,
      system: spec.system,
      messages: withTailBreakpoint(messages),
      ...(spec.tools.length ? { tools: spec.tools } : {}),
      ...(spec.tools.length && lastStep ? { tool_choice: { type: "none" } } : {}),
    };
    link.send({ t: "model", n: step, request });
    const answer = await link.next();
    if (!answer) return; // the bridge went away; nobody is left to tell
    if (answer.t !== "model.result" || answer.n !== step) return done({ ok: false, error: "unexpected answer from the bridge" }, step);
    if (answer.ok !== true) return done({ ok: false, error: String(answer.error ?? "model call failed"), budget: answer.budget === true }, step);
    const message = answer.message as { content: Block[]; stop_reason: string | null };
    if (message.stop_reason === "pause_turn" && !lastStep) {
      // Sent back as it is, with no new user message: the API resumes the same turn.
      pushAssistant(messages, message.content);
      paused = [...paused, ...message.content];
      continue;
    }
    const uses = message.content.filter((b) => b.type === "tool_use");
    if (message.stop_reason !== "tool_use" || uses.length === 0 || lastStep) {
      const content = [...paused, ...message.content];
      let text = textOf(content);
      if (message.stop_reason === "max_tokens") text = `${text}\n[…the answer was cut off at the length limit]`.trim();
      return done(
        {
          ok: true,
          text: text || "(no answer)",
          content,
          ...(message.stop_reason ? { stopReason: message.stop_reason } : {}),
          ...(sent.length ? { files: sent } : {}),
        },
        step,
      );
    }
    pushAssistant(messages, message.content);
    paused = [];
    const results: Json[] = [];
    for (const use of uses) {
      const started = Date.now();
      const name = String(use.name);
      const out = gatewayTools.has(name) ? await viaGateway(name, use.input) : await runTool(name, use.input, WORKSPACE, limits, sent);
      if (!out) return; // the bridge went away
      toolCalls++;
      link.send({ t: "tool", name: use.name, ok: !out.isError, step, ms: Date.now() - started });
      results.push({ type: "tool_result", tool_use_id: use.id, content: out.content, ...(out.isError ? { is_error: true } : {}) });
    }
    messages.push({ role: "user", content: results });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stdout.write(`${JSON.stringify({ t: "done", ok: false, error: `runner crashed: ${String(err)}`, steps: 0, toolCalls: 0 })}\n`);
    process.exit(1);
  },
);
