/**
 * Container turns get what direct turns have, end to end with a real Docker engine: the
 * gateway (`npm start`, no model key), the bridge as a process with the key, the agent-runner
 * image built offline, and the fake Messages API. The model in the container saves a note and
 * searches notes with the gateway's own tools (relayed to the sender's object, which stores and
 * searches them), and a history past its budget is summarised by the bridge before the
 * container starts: the turn's context block has the new summary, the gateway stores it for the
 * next turns, and the summarising call is recorded as a compaction call of the container run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContainerGateway, startContainerGateway } from "../support/container-gateway";
import { waitFor } from "../support/gateway-process";
import { postWebhook } from "../support/signed-webhook";

const PORT = 9951;
const KEY = "sk-ant-container-parity-e2e-93d1";
/** This file's own tag, so a parallel build of the image elsewhere cannot swap the runner under it. */
const IMAGE = "loopgate-agent:parity-e2e";
const SENDER = "ada";
/** Small enough that a few exchanges of ~300 characters go past it. */
const HISTORY_BUDGET_TOKENS = 250;

type Json = Record<string, unknown>;

describe("container turns with the gateway's tools and history compaction", () => {
  let c: ContainerGateway;
  let fake: ContainerGateway["fake"];
  let api: ContainerGateway["api"];
  let bridge: ContainerGateway["bridge"];
  let channelId: ContainerGateway["channelId"];
  let inboundUrl: ContainerGateway["inboundUrl"];
  let secret: ContainerGateway["secret"];
  const replies = () => c.replies();
  let n = 0;

  const ask = async (text: string): Promise<string> => {
    const before = replies().length;
    const res = await postWebhook(inboundUrl, secret, { messageId: `p-${++n}`, sender: { id: SENDER }, text });
    expect(res.status).toBe(200);
    await waitFor(async () => replies().length > before, 90_000, `a reply to "${text.slice(0, 30)}"`);
    return replies()[before]!;
  };
  /** The model requests the fake answered since `from`, in order. */
  const requestsSince = (from: number) => fake.requests.slice(from).filter((r) => r.status === 200);
  const contextOf = (body: Json) => (body.system as { text: string }[]).map((b) => b.text).join("\n");

  beforeAll(async () => {
    c = await startContainerGateway({
      port: PORT,
      apiKey: KEY,
      image: IMAGE,
      name: "parity",
      sender: SENDER,
      gatewayEnv: { AGENT_HISTORY_TOKEN_BUDGET: String(HISTORY_BUDGET_TOKENS) },
    });
    ({ fake, api, bridge, channelId, inboundUrl, secret } = c);
  });

  afterAll(async () => {
    await c?.stop();
  });

  it("saves a note and recalls it through the gateway's tools, called by the model in the container", async () => {
    const from = fake.requests.length;
    expect(await ask("remember that my locker code is 4711")).toBe("Tool results: saved");
    const [first, second] = requestsSince(from);
    const offered = (first!.body.tools as { name: string }[]).map((t) => t.name);
    expect(offered).toEqual(["current_time", "list_files", "read_file", "recall", "remember_note", "run_command", "schedule_job", "send_file", "write_file"]);
    // The tool ran in the gateway, not in the container: its answer is the gateway's.
    expect(JSON.stringify(second!.body.messages)).toContain('"tool_result"');
    const session = encodeURIComponent(`${channelId}:${SENDER}`);
    const notes = await api<{ notes: { text: string }[] }>("GET", `/api/sessions/${session}/notes`);
    expect(notes.body.notes.map((x) => x.text)).toEqual(["my locker code is 4711"]);

    // recall searches the sender's notes in the sender's object (FTS), asked from the container.
    fake.enqueue({ kind: "tool_use", name: "recall", input: { query: "locker" } });
    const recalled = await ask("what was my locker code?");
    expect(recalled).toContain("my locker code is 4711");
    // The bridge reports each relayed call like a container tool call (log and live feed).
    expect(bridge.output()).toMatch(/container tool call.*"tool":"remember_note","ok":true/);
    expect(bridge.output()).toMatch(/container tool call.*"tool":"recall","ok":true/);
  });

  it("summarises a history past its budget on the bridge before the turn, and the gateway keeps the summary", async () => {
    const padding = " I am planning a vegetable garden with tomatoes, beans, garlic and a row of sunflowers along the fence.".repeat(3);
    const summarising = (r: { body: Json }) => contextOf(r.body).includes("running memory of a conversation");
    let run: ReturnType<typeof requestsSince> = [];
    let reply = "";
    let topic = "";
    // Each exchange adds ~150 tokens: within a few the history passes its budget.
    for (topic of ["compost", "mulch", "watering", "pruning", "seeds"]) {
      const from = fake.requests.length;
      reply = await ask(`Tell me about ${topic}.${padding}`);
      run = requestsSince(from);
      if (run.some(summarising)) break;
    }
    expect(reply).toContain(`you said "Tell me about ${topic}.`);
    // First the bridge's summarising call, then the turn, whose context block carries the new summary.
    expect(summarising(run[0]!)).toBe(true);
    expect(contextOf(run[1]!.body)).toMatch(/Summary of the earlier conversation[^]*Summary: the person said/);
    expect(contextOf(run[1]!.body)).not.toContain("LOOPGATE-NEW-SUMMARY");
    // Only the kept turns are sent; the oldest are in the summary.
    expect(JSON.stringify(run[1]!.body.messages)).not.toContain("locker code is 4711");

    const compacted = await api<{ events: { kind: string; detail: Json }[] }>("GET", `/api/events?kind=agent.compacted&channelId=${channelId}`);
    expect(compacted.body.events[0]!.detail).toMatchObject({ mode: "container", compactedTurns: expect.any(Number) });
    const calls = await api<{ calls: { purpose: string; mode: string }[] }>("GET", "/api/usage/calls?limit=50");
    expect(calls.body.calls.filter((c) => c.purpose === "compaction" && c.mode === "container").length).toBeGreaterThanOrEqual(1);

    // The next turn starts from the stored summary: in its context block, or (budget this small)
    // as the previous summary the next summarising call folds in.
    const next = fake.requests.length;
    await ask("Thanks!");
    const first = requestsSince(next)[0]!;
    if (summarising(first)) expect(JSON.stringify(first.body.messages)).toMatch(/Previous summary:\\nSummary: the person said/);
    else expect(contextOf(first.body)).toContain("Summary: the person said");
  });
});
