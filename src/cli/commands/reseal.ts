/**
 * `loopgate reseal`: the last step of rotating LOOPGATE_MASTER_KEY. With the new key set and
 * the old one as LOOPGATE_MASTER_KEY_PREVIOUS, it has the gateway seal every stored channel
 * secret and MCP server token again under the new key; afterwards LOOPGATE_MASTER_KEY_PREVIOUS can be removed.
 */
import type { CommandSpec } from "../command";
import { unwrap } from "../connection";
import { CliError } from "../errors";
import { renderPairs } from "../output";

export const resealCommand: CommandSpec = {
  path: ["reseal"],
  summary: "seal every stored secret again under the current master key (after rotating it)",
  remote: true,
  details:
    "Rotating: set the new key as LOOPGATE_MASTER_KEY and the old one as LOOPGATE_MASTER_KEY_PREVIOUS, deploy, run `loopgate reseal` until it reports nothing skipped, then remove LOOPGATE_MASTER_KEY_PREVIOUS.",
  async run({ gateway, out }) {
    const gw = gateway();
    const res = await unwrap(gw, gw.client.api.secrets.reseal.$post());
    out.data(res);
    out.say(
      renderPairs([
        ["current key id", res.keyId],
        ["channels", res.channels],
        ["resealed", res.resealed],
        ["MCP tokens resealed", res.mcpTokensResealed],
        ["skipped", res.skipped.length],
      ]),
    );
    for (const s of res.skipped) out.say(`  ${"channelId" in s ? s.channelId : s.mcpServerId}: ${s.reason}`);
    if (res.skipped.length > 0) throw new CliError("some secrets were not resealed", "keep LOOPGATE_MASTER_KEY_PREVIOUS set and run `loopgate reseal` again");
    out.say("Every secret is sealed under the current key: LOOPGATE_MASTER_KEY_PREVIOUS can be removed.");
  },
};
