/** `loopgate channels list|types|add|remove|setup`: the platforms the gateway listens on. */
import { channelCreateBody, channelPolicy } from "../../api/channel-schemas";
import { describeZodError } from "../../lib/zod-error";
import { choiceOption, intOption, listOption, stringOption } from "../options";
import type { CommandSpec } from "../command";
import { type Gateway, unwrap } from "../connection";
import { CliError, usageError } from "../errors";
import { formatTime, renderPairs } from "../output";
import { pickByRef } from "../pick-by-ref";
import { SENDER_POLICIES } from "../../lib/sender-policy";

type ChannelList = Awaited<ReturnType<typeof listChannels>>;

export function listChannels(gw: Gateway) {
  return unwrap(gw, gw.client.api.channels.$get()).then((b) => b.channels);
}

/** A channel by id or, failing that, by its (unique) name. */
export async function findChannel(gw: Gateway, ref: string): Promise<ChannelList[number]> {
  return pickByRef(await listChannels(gw), ref, { one: "channel", many: "channels", list: "channels list" });
}

/** `--set key=value` pairs; values that read as JSON (numbers, true, lists) are parsed as JSON. */
function parseSettings(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw usageError(`--set needs key=value, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = /^[[{\d-]|^(true|false|null)$/.test(raw) ? JSON.parse(raw) : raw;
    } catch {
      value = raw;
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

const list: CommandSpec = {
  path: ["channels", "list"],
  summary: "list channels with their policy, status and inbound URL",
  remote: true,
  async run({ gateway, out }) {
    const channels = await listChannels(gateway());
    out.data({ channels });
    out.table(
      ["id", "name", "type", "policy", "status", "last message", "inbound url"],
      channels.map((c) => [
        c.id,
        c.name,
        c.type,
        c.policy,
        c.lastError ? `${c.status}: ${c.lastError}` : c.status,
        formatTime(c.lastMessageAt),
        c.inboundUrl ?? "(built in)",
      ]),
      "No channels yet. Add one with `loopgate channels add --type webhook --name NAME --set callbackUrl=URL`.",
    );
  },
};

const types: CommandSpec = {
  path: ["channels", "types"],
  summary: "list the channel types this gateway supports",
  remote: true,
  async run({ gateway, out }) {
    const gw = gateway();
    const body = await unwrap(gw, gw.client.api.channels.types.$get());
    out.data(body);
    out.table(
      ["type", "secret fields", "description"],
      body.types.map((t) => [t.type, t.secretFields.join(", "), t.description]),
      "No channel types.",
    );
  },
};

const add: CommandSpec = {
  path: ["channels", "add"],
  summary: "create a channel",
  remote: true,
  options: {
    type: { type: "string", valueName: "type", description: "channel type (see `loopgate channels types`)" },
    name: { type: "string", valueName: "name", description: "a name for people (unique names let `apply` and other commands find it)" },
    policy: { type: "string", valueName: "policy", description: `who may talk: ${SENDER_POLICIES.join(", ")} (default: pairing)` },
    allow: { type: "string", multiple: true, valueName: "sender", description: "sender id for the allowlist (repeat, or comma-separate)" },
    "rate-limit": { type: "string", valueName: "n", description: "messages per minute per sender (default: the gateway's)" },
    set: { type: "string", multiple: true, valueName: "key=value", description: "a config field of the type, e.g. --set callbackUrl=https://..." },
  },
  details: "Secrets the gateway generates (a webhook's signing secret) are shown once, here.",
  async run({ values, gateway, out }) {
    const type = stringOption(values, "type");
    const name = stringOption(values, "name");
    if (!type || !name)
      throw usageError(
        `missing ${!type ? "--type" : "--name"}`,
        "e.g. loopgate channels add --type webhook --name crm --set callbackUrl=https://crm.example/hook",
      );
    const body = channelCreateBody.safeParse({
      type,
      name,
      policy: choiceOption(values, "policy", channelPolicy.options),
      allowlist: listOption(values, "allow"),
      rateLimitPerMinute: intOption(values, "rate-limit", 1, 10_000),
      config: parseSettings(listOption(values, "set") ?? []),
    });
    if (!body.success) throw usageError(describeZodError(body.error));
    const gw = gateway();
    const created = await unwrap(gw, gw.client.api.channels.$post({ json: body.data }));
    out.data(created);
    const secrets = Object.entries(created.generatedSecrets);
    out.say(
      renderPairs([
        ["created", `${created.channel.name} (${created.channel.id})`],
        ["type", created.channel.type],
        ["policy", created.channel.policy],
        ["inbound url", created.channel.inboundUrl ?? "(built in)"],
      ]),
    );
    if (secrets.length)
      out.say(
        `\nGenerated secrets (shown only now; store them where the integration can read them):\n${secrets.map(([k, v]) => `  ${k}: ${String(v)}`).join("\n")}`,
      );
  },
};

const remove: CommandSpec = {
  path: ["channels", "remove"],
  summary: "delete a channel (by id or name)",
  args: ["CHANNEL"],
  remote: true,
  async run({ args, gateway, out }) {
    const gw = gateway();
    const channel = await findChannel(gw, args[0]!);
    await unwrap(gw, gw.client.api.channels[":id"].$delete({ param: { id: channel.id } }));
    out.data({ ok: true, id: channel.id, name: channel.name });
    out.say(`Removed channel ${channel.name} (${channel.id}).`);
  },
};

const setup: CommandSpec = {
  path: ["channels", "setup"],
  summary: "run a channel's setup (register its webhook with the platform) and show the steps",
  args: ["CHANNEL"],
  remote: true,
  async run({ args, gateway, out }) {
    const gw = gateway();
    const channel = await findChannel(gw, args[0]!);
    out.progress(`Setting up ${channel.name} (${channel.type})...`);
    const res = await gw.client.api.channels[":id"].setup.$post({ param: { id: channel.id } });
    // A failed setup answers 502 with its steps, not {error}: show them before failing.
    const body = res.status === 502 ? ((await res.json()) as { ok: boolean; steps: string[]; inboundUrl?: string }) : await unwrap(gw, Promise.resolve(res));
    out.data(body);
    out.say(body.steps.map((s, i) => `${i + 1}. ${s}`).join("\n"));
    if ("inboundUrl" in body && body.inboundUrl) out.say(`Inbound URL: ${body.inboundUrl}`);
    if (!body.ok) throw new CliError(`setup of ${channel.name} failed`, "fix the channel's config (see the steps above), then run setup again");
  },
};

export const channelCommands = [list, types, add, remove, setup];
