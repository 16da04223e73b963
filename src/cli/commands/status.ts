/** `loopgate status`: is the gateway up, which version and model, who am I, what needs attention. */
import type { CommandSpec } from "../command";
import { unwrap } from "../connection";
import { CliError, EXIT } from "../errors";
import { formatDuration, renderPairs } from "../output";

export const statusCommand: CommandSpec = {
  path: ["status"],
  summary: "show whether the gateway is up, its version and model, and what waits for an admin",
  remote: true,
  async run({ gateway, out }) {
    const gw = gateway({ anonymous: true });
    const health = await unwrap(gw, gw.client.api.health.$get());
    const auth = await unwrap(gw, gw.client.api.auth.status.$get());
    let user: string | null = null;
    let authProblem: CliError | null = null;
    let counts: { channels: number; pendingPairings: number; pairedSenders: number } | null = null;
    // Version, uptime and model are for admins only (the public health check says only "ok").
    let details: { version: string; uptime: number; model: { mode: string; name: string } } | null = null;
    if (gw.token) {
      try {
        user = (await unwrap(gw, gw.client.api.auth.me.$get())).username;
        details = await unwrap(gw, gw.client.api.health.details.$get());
        const [channels, pairings, senders] = await Promise.all([
          unwrap(gw, gw.client.api.channels.$get()),
          unwrap(gw, gw.client.api.pairings.$get({ query: { status: "pending" } })),
          unwrap(gw, gw.client.api.senders.$get({ query: {} })),
        ]);
        counts = {
          channels: channels.channels.length,
          pendingPairings: pairings.pairings.length,
          pairedSenders: senders.senders.filter((s) => s.status === "paired").length,
        };
      } catch (err) {
        if (!(err instanceof CliError) || err.exitCode !== EXIT.auth) throw err;
        authProblem = err;
      }
    }
    out.data({
      url: gw.url,
      status: health.status,
      version: details?.version ?? null,
      uptimeSeconds: details?.uptime ?? null,
      model: details?.model ?? null,
      setupRequired: auth.setupRequired,
      user,
      tokenSource: gw.tokenSource,
      ...counts,
    });
    out.say(
      renderPairs([
        ["gateway", `${gw.url} (${health.status})`],
        ...(details
          ? ([
              ["version", details.version],
              ["uptime", formatDuration(details.uptime)],
              ["model", `${details.model.name} (${details.model.mode})`],
            ] as [string, string][])
          : []),
        ["admin", auth.setupRequired ? "none yet: run `loopgate setup`" : "set up"],
        ["logged in", user ? `as ${user} (token from ${gw.tokenSource})` : authProblem ? "no: the token was refused" : "no"],
        ...(counts
          ? ([
              ["channels", counts.channels],
              ["paired senders", counts.pairedSenders],
              ["pending pairings", counts.pendingPairings],
            ] as [string, number][])
          : []),
      ]),
    );
    if (authProblem) throw authProblem;
  },
};
