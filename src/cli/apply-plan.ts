/**
 * What `loopgate apply` must do to make the gateway match the config file: a pure comparison
 * of desired and current channels (matched by name), so it is testable without a gateway and
 * a second apply of the same file plans nothing.
 */
import type { AgentSettings } from "../agent/settings";
import type { ChannelUpdateBody } from "../api/channel-schemas";
import type { DesiredChannel } from "./config-file";

/** How the API shows a secret that is set (src/channels/shared/config-codec.ts). */
export const HIDDEN_SECRET = "[hidden]";
const DEFAULT_POLICY = "pairing";

/** A channel as `GET /api/channels` returns it (the fields the plan compares). */
export interface CurrentChannel {
  id: string;
  name: string;
  type: string;
  policy: string;
  allowlist: string[];
  rateLimitPerMinute: number | null;
  /** Per-channel agent overrides; null means the gateway's defaults. */
  agent: AgentSettings | null;
  /** Secret fields read as HIDDEN_SECRET. */
  config: Record<string, unknown>;
}

export type ChannelAction =
  | { kind: "create"; name: string; type: string; body: DesiredChannel }
  | { kind: "update"; name: string; type: string; id: string; changes: string[]; body: ChannelUpdateBody }
  | { kind: "unchanged"; name: string; type: string; id: string }
  | { kind: "remove"; name: string; type: string; id: string };

export interface PlanOptions {
  /** The secret fields of a channel type (from `GET /api/channels/types`). */
  secretFields: (type: string) => readonly string[];
  /** Remove channels the file does not mention (built-in types excepted). */
  prune: boolean;
  /** Send secrets even when the channel already has one (rotation); otherwise set-once. */
  updateSecrets: boolean;
  /** Types the gateway creates itself and the file cannot manage (the web chat). */
  builtInTypes: readonly string[];
}

export class PlanError extends Error {}

/** JSON with sorted keys: two configs are equal when their canonical forms are. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The gateway's channels or jobs by name, which is how a config file refers to them. A name the
 * file uses that several of them share is refused: apply could not tell which one the file means.
 */
export function byUniqueName<T extends { name: string }>(
  current: readonly T[],
  desired: readonly { name: string }[],
  kind: "channels" | "jobs",
): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of current) {
    if (byName.has(item.name) && desired.some((d) => d.name === item.name)) {
      throw new PlanError(
        `the gateway has several ${kind} named "${item.name}"; rename or remove all but one (loopgate ${kind} list) so apply can tell which one the file means`,
      );
    }
    byName.set(item.name, item);
  }
  return byName;
}

function without(config: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !fields.includes(k)));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return canonical([...new Set(a)].sort()) === canonical([...new Set(b)].sort());
}

function planUpdate(want: DesiredChannel, have: CurrentChannel, options: PlanOptions): ChannelAction {
  if (want.type !== have.type) {
    throw new PlanError(
      `channel "${want.name}" is a ${have.type} channel on the gateway but ${want.type} in the file; a type cannot change: remove it first (loopgate channels remove ${have.id}) or rename one`,
    );
  }
  const changes: string[] = [];
  const body: ChannelUpdateBody = {};
  // A field the file leaves out means the API's default, so the file is the whole truth.
  const policy = want.policy ?? DEFAULT_POLICY;
  if (policy !== have.policy) {
    changes.push("policy");
    body.policy = policy;
  }
  const allowlist = want.allowlist ?? [];
  if (!sameSet(allowlist, have.allowlist)) {
    changes.push("allowlist");
    body.allowlist = allowlist;
  }
  const rate = want.rateLimitPerMinute ?? null;
  if (rate !== have.rateLimitPerMinute) {
    changes.push("rateLimitPerMinute");
    body.rateLimitPerMinute = rate;
  }
  // Compared like the rest: an agent block removed from the file resets the channel to the defaults.
  const agent = want.agent ?? null;
  if (canonical(agent) !== canonical(have.agent ?? null)) {
    changes.push("agent");
    body.agent = agent;
  }

  const secrets = options.secretFields(want.type);
  const configChanged = canonical(without(want.config, secrets)) !== canonical(without(have.config, secrets));
  const secretsToSend = secrets.filter((f) => want.config[f] !== undefined && (have.config[f] === undefined || options.updateSecrets));
  if (configChanged || secretsToSend.length) {
    changes.push(...(configChanged ? ["config"] : []), ...secretsToSend.map((f) => `config.${f}`));
    const config: Record<string, unknown> = without(want.config, secrets);
    for (const f of secrets) {
      if (secretsToSend.includes(f)) config[f] = want.config[f];
      else if (have.config[f] !== undefined) config[f] = HIDDEN_SECRET; // keeps the stored value
    }
    body.config = config;
  }
  return changes.length
    ? { kind: "update", name: want.name, type: want.type, id: have.id, changes, body }
    : { kind: "unchanged", name: want.name, type: want.type, id: have.id };
}

export function planChannels(desired: readonly DesiredChannel[], current: readonly CurrentChannel[], options: PlanOptions): ChannelAction[] {
  const managed = current.filter((c) => !options.builtInTypes.includes(c.type));
  const byName = byUniqueName(managed, desired, "channels");
  const actions: ChannelAction[] = desired.map((want) => {
    if (options.builtInTypes.includes(want.type)) throw new PlanError(`channel "${want.name}": ${want.type} channels are built in and cannot be declared`);
    const have = byName.get(want.name);
    return have ? planUpdate(want, have, options) : { kind: "create", name: want.name, type: want.type, body: want };
  });
  if (options.prune) {
    const wanted = new Set(desired.map((d) => d.name));
    for (const c of managed) if (!wanted.has(c.name)) actions.push({ kind: "remove", name: c.name, type: c.type, id: c.id });
  }
  return actions;
}
