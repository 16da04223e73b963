/** `loopgate apply` planning: what changes, what does not, and what it refuses to do. */
import { describe, expect, it } from "vitest";
import { type CurrentChannel, HIDDEN_SECRET, planChannels, PlanError } from "../../src/cli/apply-plan";
import { parseConfigText } from "../../src/cli/config-file";

const options = { secretFields: (type: string) => (type === "webhook" ? ["secret"] : []), prune: false, updateSecrets: false, builtInTypes: ["web"] };

function current(over: Partial<CurrentChannel> = {}): CurrentChannel {
  return {
    id: "ch_1",
    name: "crm",
    type: "webhook",
    policy: "pairing",
    allowlist: [],
    rateLimitPerMinute: null,
    agent: null,
    config: { callbackUrl: "https://crm.example/hook", secret: HIDDEN_SECRET },
    ...over,
  };
}

function desired(text: string) {
  return parseConfigText(text, "test.json", { CRM_SECRET: "s3cret-s3cret-s3cret" }).channels;
}

describe("planChannels", () => {
  it("creates channels the gateway does not have", () => {
    const plan = planChannels(desired('{"channels":[{"name":"crm","type":"webhook","config":{"callbackUrl":"https://crm.example/hook"}}]}'), [], options);
    expect(plan).toEqual([expect.objectContaining({ kind: "create", name: "crm" })]);
  });

  it("plans nothing when the gateway matches, with defaults, allowlist order and a hidden secret", () => {
    const want = desired(
      '{"channels":[{"name":"crm","type":"webhook","allowlist":["b","a"],"config":{"callbackUrl":"https://crm.example/hook","secret":"${CRM_SECRET}"}}]}',
    );
    const plan = planChannels(want, [current({ allowlist: ["a", "b"] })], options);
    expect(plan).toEqual([{ kind: "unchanged", name: "crm", type: "webhook", id: "ch_1" }]);
  });

  it("updates only what differs, keeping the stored secret", () => {
    const want = desired(
      '{"channels":[{"name":"crm","type":"webhook","policy":"open","rateLimitPerMinute":5,"config":{"callbackUrl":"https://crm.example/v2"}}]}',
    );
    const [action] = planChannels(want, [current()], options);
    expect(action).toMatchObject({ kind: "update", changes: ["policy", "rateLimitPerMinute", "config"] });
    expect(action?.kind === "update" && action.body).toEqual({
      policy: "open",
      rateLimitPerMinute: 5,
      config: { callbackUrl: "https://crm.example/v2", secret: HIDDEN_SECRET },
    });
  });

  it("a field left out of the file returns to the API default", () => {
    const want = desired('{"channels":[{"name":"crm","type":"webhook","config":{"callbackUrl":"https://crm.example/hook"}}]}');
    const [action] = planChannels(want, [current({ policy: "allowlist", allowlist: ["x"], rateLimitPerMinute: 3 })], options);
    expect(action?.kind === "update" && action.body).toEqual({ policy: "pairing", allowlist: [], rateLimitPerMinute: null });
  });

  it("sends a secret to a channel without one, and re-sends it only with updateSecrets", () => {
    const want = desired('{"channels":[{"name":"crm","type":"webhook","config":{"callbackUrl":"https://crm.example/hook","secret":"${CRM_SECRET}"}}]}');
    const [unset] = planChannels(want, [current({ config: { callbackUrl: "https://crm.example/hook" } })], options);
    expect(unset).toMatchObject({ kind: "update", changes: ["config.secret"], body: { config: { secret: "s3cret-s3cret-s3cret" } } });
    expect(planChannels(want, [current()], options)[0]?.kind).toBe("unchanged");
    expect(planChannels(want, [current()], { ...options, updateSecrets: true })[0]).toMatchObject({ kind: "update", changes: ["config.secret"] });
  });

  it("removes unmentioned channels only with prune, never built-in ones", () => {
    const have = [current(), current({ id: "ch_2", name: "old" }), current({ id: "ch_web", name: "web", type: "web", config: {} })];
    const want = desired('{"channels":[{"name":"crm","type":"webhook","config":{"callbackUrl":"https://crm.example/hook"}}]}');
    expect(planChannels(want, have, options).map((a) => a.kind)).toEqual(["unchanged"]);
    expect(planChannels(want, have, { ...options, prune: true }).map((a) => `${a.kind}:${a.name}`)).toEqual(["unchanged:crm", "remove:old"]);
  });

  it("compares the agent settings on update: set, changed, unchanged and removed", () => {
    const file = (agent: string) => desired(`{"channels":[{"name":"crm","type":"webhook",${agent}"config":{"callbackUrl":"https://crm.example/hook"}}]}`);
    const [set] = planChannels(file('"agent":{"model":"claude-x","tools":["current_time"]},'), [current()], options);
    expect(set).toMatchObject({ kind: "update", changes: ["agent"], body: { agent: { model: "claude-x", tools: ["current_time"] } } });
    const have = current({ agent: { tools: ["current_time"], model: "claude-x" } });
    expect(planChannels(file('"agent":{"model":"claude-x","tools":["current_time"]},'), [have], options)[0]?.kind).toBe("unchanged");
    expect(planChannels(file('"agent":{"model":"claude-y","tools":["current_time"]},'), [have], options)[0]).toMatchObject({
      changes: ["agent"],
      body: { agent: { model: "claude-y" } },
    });
    expect(planChannels(file(""), [have], options)[0]).toMatchObject({ kind: "update", changes: ["agent"], body: { agent: null } });
    expect(() => file('"agent":{"temperature":1},')).toThrow(/channels\.0\.agent/);
  });

  it("refuses a type change and ambiguous names", () => {
    const want = desired('{"channels":[{"name":"crm","type":"telegram","config":{}}]}');
    expect(() => planChannels(want, [current()], options)).toThrow(PlanError);
    expect(() => planChannels(want, [current({ type: "telegram", config: {} }), current({ id: "ch_9", type: "telegram", config: {} })], options)).toThrow(
      /several channels named "crm"/,
    );
  });
});

describe("config file", () => {
  it("rejects unknown keys, bad policies and duplicate names with the field's path", () => {
    expect(() => desired('{"chanels":[]}')).toThrow(/Unrecognized key.*chanels|chanels/);
    expect(() => desired('{"channels":[{"name":"a","type":"webhook","polcy":"open"}]}')).toThrow(/polcy/);
    expect(() => desired('{"channels":[{"name":"a","type":"webhook","policy":"everyone"}]}')).toThrow(/channels\.0\.policy/);
    expect(() => desired('{"channels":[{"name":"a","type":"webhook"},{"name":"a","type":"webhook"}]}')).toThrow(/"a" is used twice/);
    expect(() => desired("{not json")).toThrow(/test.json is not valid JSON/);
  });

  it("replaces ${NAME} from the environment and names an unset variable", () => {
    const [c] = desired('{"channels":[{"name":"a","type":"webhook","config":{"secret":"${CRM_SECRET}","note":"x-${CRM_SECRET}"}}]}');
    expect(c?.config).toEqual({ secret: "s3cret-s3cret-s3cret", note: "x-s3cret-s3cret-s3cret" });
    expect(() => desired('{"channels":[{"name":"a","type":"webhook","config":{"secret":"${NOPE}"}}]}')).toThrow(
      /channels\[0\]\.config\.secret uses \$\{NOPE\}, but NOPE is not set/,
    );
  });
});

describe("config file errors name the line", () => {
  const file = [
    "{",
    '  "channels": [',
    '    { "name": "ops", "type": "webhook",',
    '      "policy": "everyone" }',
    "  ],",
    '  "settings": { "AGENT_MAX_TOKENS": "lots" }',
    "}",
  ].join("\n");

  it("points at the line of the bad field, and of a missing field's parent", () => {
    expect(() => parseConfigText(file, "loopgate.json", {})).toThrow(/loopgate\.json:4: channels\.0\.policy: /);
    expect(() => parseConfigText(file, "loopgate.json", {})).toThrow(/loopgate\.json:6: settings\.AGENT_MAX_TOKENS: /);
    expect(() => parseConfigText('{\n  "jobs": [\n    {"name": "x"}\n  ]\n}', "f.json", {})).toThrow(/f\.json:3: jobs\.0\.cron: /);
    expect(() => parseConfigText('{\n  "channels": [],\n}', "f.json", {})).toThrow(/f\.json is not valid JSON \(line 3\)/);
  });

  it("reads YAML too (by the file's name), with the same lines for the same mistakes", () => {
    const yaml = [
      "# channels and settings, as in the JSON above",
      "channels:",
      "  - name: ops",
      "    type: webhook",
      "    policy: everyone",
      "settings:",
      "  AGENT_MAX_TOKENS: lots",
      "jobs:",
      "  - name: x",
    ].join("\n");
    expect(() => parseConfigText(yaml, "loopgate.yaml", {})).toThrow(/loopgate\.yaml:5: channels\.0\.policy: /);
    expect(() => parseConfigText(yaml, "loopgate.yaml", {})).toThrow(/loopgate\.yaml:9: jobs\.0\.cron: /);
    expect(() => parseConfigText("settings:\n  AGENT_MODEL: x\n  AGENT_MAX_TOKENS: lots\n", "s.yaml", {})).toThrow(/s\.yaml:3: settings\.AGENT_MAX_TOKENS: /);
    expect(() => parseConfigText("channels:\n  - name: a\n", "s.yaml", {})).toThrow(/s\.yaml:2: channels\.0\.type: /);
    expect(() => parseConfigText("channels:\n  - name: a\n   type: [", "bad.yml", {})).toThrow(/bad\.yml:\d+: not valid YAML/);
    const ok = parseConfigText('channels:\n  - name: ops\n    type: webhook\n    config: { secret: "${CRM_SECRET}" }\n', "c.yml", {
      CRM_SECRET: "s3cret-s3cret-s3cret",
    });
    expect(ok.channels[0]).toMatchObject({ name: "ops", type: "webhook", config: { secret: "s3cret-s3cret-s3cret" } });
  });

  it("checks settings against the gateway's own schema and keeps the keys loopgate start owns out", () => {
    expect(parseConfigText('{"settings": {"AGENT_MODEL": "claude-haiku-5", "AGENT_MAX_TOKENS": 512}}', "f.json", {}).settings).toEqual({
      AGENT_MODEL: "claude-haiku-5",
      AGENT_MAX_TOKENS: 512,
    });
    expect(() => parseConfigText('{"settings": {"AGENT_MODLE": "x"}}', "f.json", {})).toThrow(/settings\.AGENT_MODLE: unknown setting/);
    expect(() => parseConfigText('{"settings": {"LOOPGATE_MASTER_KEY": "x"}}', "f.json", {})).toThrow(/loopgate start manages it/);
  });
});
