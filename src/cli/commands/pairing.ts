/**
 * `loopgate pairing list|approve|reject|invite` and `loopgate senders list|revoke`: who may talk
 * to the agent. A new sender on a pairing channel gets a 6-character code; the admin approves it here.
 */
import { choiceOption, intOption, stringOption } from "../options";
import type { CommandSpec } from "../command";
import { unwrap } from "../connection";
import { usageError } from "../errors";
import { formatTime, renderPairs } from "../output";
import { findChannel } from "./channels";

const PAIRING_STATUSES = ["pending", "approved", "rejected", "used", "expired"] as const;

const list: CommandSpec = {
  path: ["pairing", "list"],
  summary: "list pairing requests and invites (newest first)",
  remote: true,
  options: { status: { type: "string", valueName: "status", description: `only these: ${PAIRING_STATUSES.join(", ")}` } },
  async run({ values, gateway, out }) {
    const status = choiceOption(values, "status", PAIRING_STATUSES);
    const gw = gateway();
    const { pairings } = await unwrap(gw, gw.client.api.pairings.$get({ query: status ? { status } : {} }));
    out.data({ pairings });
    out.table(
      ["code", "status", "channel", "sender", "name", "created", "expires"],
      pairings.map((p) => [p.code, p.status, p.channelId, p.senderId, p.senderName, formatTime(p.createdAt), formatTime(p.expiresAt)]),
      status ? `No ${status} pairings.` : "No pairing requests.",
    );
  },
};

function decide(verb: "approve" | "reject"): CommandSpec {
  return {
    path: ["pairing", verb],
    summary: verb === "approve" ? "let the sender who got CODE talk to the agent" : "turn down the request with CODE",
    args: ["CODE"],
    remote: true,
    async run({ args, gateway, out }) {
      const gw = gateway();
      const route = gw.client.api.pairings[":code"][verb];
      const result = await unwrap(gw, route.$post({ param: { code: args[0]! } }));
      out.data(result);
      out.say(`${verb === "approve" ? "Approved" : "Rejected"}: sender ${result.senderId} on channel ${result.channelId} (they have been told).`);
    },
  };
}

const invite: CommandSpec = {
  path: ["pairing", "invite"],
  summary: "mint an invite code a new sender can send to pair themselves",
  remote: true,
  options: {
    channel: { type: "string", valueName: "channel", description: "the channel the code is for (id or name)" },
    "any-channel": { type: "boolean", description: "instead of --channel: a code whichever channel redeems it first accepts" },
    "ttl-minutes": { type: "string", valueName: "minutes", description: "how long the code stays valid (default: the gateway's)" },
  },
  async run({ values, gateway, out }) {
    const gw = gateway();
    const ref = stringOption(values, "channel");
    const anyChannel = values["any-channel"] === true;
    if (!ref === !anyChannel) throw usageError("give --channel (the channel the code is for) or --any-channel");
    const channelId = ref ? (await findChannel(gw, ref)).id : undefined;
    const ttlMinutes = intOption(values, "ttl-minutes", 1, 60 * 24 * 30);
    const invite = await unwrap(gw, gw.client.api.pairings.$post({ json: { channelId, ttlMinutes, ...(anyChannel ? { anyChannel } : {}) } }));
    out.data(invite);
    out.say(
      renderPairs([
        ["code", invite.code],
        ["expires", formatTime(invite.expiresAt)],
        ["how to use", invite.howToUse],
      ]),
    );
  },
};

const senders: CommandSpec = {
  path: ["senders", "list"],
  summary: "list known senders and whether they are paired",
  remote: true,
  options: { channel: { type: "string", valueName: "channel", description: "only this channel (id or name)" } },
  async run({ values, gateway, out }) {
    const gw = gateway();
    const ref = stringOption(values, "channel");
    const channelId = ref ? (await findChannel(gw, ref)).id : undefined;
    const body = await unwrap(gw, gw.client.api.senders.$get({ query: channelId ? { channelId } : {} }));
    out.data(body);
    out.table(
      ["id", "channel", "sender", "name", "status", "since"],
      body.senders.map((s) => [s.id, s.channelId, s.senderId, s.name, s.status, formatTime(s.createdAt)]),
      "No senders yet.",
    );
  },
};

const revoke: CommandSpec = {
  path: ["senders", "revoke"],
  summary: "revoke a paired sender (ID from `loopgate senders list`); they must pair again",
  args: ["ID"],
  remote: true,
  async run({ args, gateway, out }) {
    const gw = gateway();
    await unwrap(gw, gw.client.api.senders[":id"].$delete({ param: { id: args[0]! } }));
    out.data({ ok: true, id: args[0] });
    out.say(`Revoked sender ${args[0]}.`);
  },
};

export const pairingCommands = [list, decide("approve"), decide("reject"), invite];
export const senderCommands = [senders, revoke];
