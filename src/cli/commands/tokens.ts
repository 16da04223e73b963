/**
 * `loopgate tokens list|create|revoke`: long-lived API tokens for scripts and CI. A token is
 * shown once, at `create`; the gateway keeps only its hash. `login` mints one of these too.
 */
import { intOption } from "../options";
import type { CommandContext, CommandSpec } from "../command";
import { type Gateway, unwrap } from "../connection";
import { credentialsPath, readCredentials } from "../credentials";
import { formatTime, renderPairs } from "../output";
import { pickByRef } from "../pick-by-ref";

/** The id of the token this CLI is logged in with, when it came from a stored login. */
function ownTokenId(ctx: CommandContext, gw: Gateway): string | undefined {
  if (gw.tokenSource !== "stored login") return undefined;
  return readCredentials(credentialsPath(ctx.env)).logins[gw.url]?.tokenId;
}

/** A token by id or, failing that, by its (unique) name. */
async function findToken(gw: Gateway, ref: string) {
  return pickByRef((await unwrap(gw, gw.client.api.tokens.$get())).tokens, ref, { one: "API token", many: "tokens", list: "tokens list" });
}

const list: CommandSpec = {
  path: ["tokens", "list"],
  summary: "list API tokens (names and dates, never the tokens)",
  remote: true,
  async run(ctx) {
    const gw = ctx.gateway();
    const body = await unwrap(gw, gw.client.api.tokens.$get());
    const own = ownTokenId(ctx, gw);
    ctx.out.data({ tokens: body.tokens.map((t) => ({ ...t, current: t.id === own })) });
    ctx.out.table(
      ["id", "name", "created", "expires", "last used", ""],
      body.tokens.map((t) => [
        t.id,
        t.name,
        formatTime(t.createdAt),
        t.expiresAt ? formatTime(t.expiresAt) : "never",
        formatTime(t.lastUsedAt),
        t.id === own ? "(this CLI)" : "",
      ]),
      "No API tokens. Create one with `loopgate tokens create NAME`.",
    );
  },
};

const create: CommandSpec = {
  path: ["tokens", "create"],
  summary: "create an API token for a script or CI (shown only once)",
  args: ["NAME"],
  remote: true,
  options: { "expires-in-days": { type: "string", valueName: "n", description: "expire after n days, 1-3650 (default: never)" } },
  details: "Use it as LOOPGATE_TOKEN=<token> for this CLI, or as `Authorization: Bearer <token>` on the API.",
  async run({ args, values, gateway, out }) {
    const expiresInDays = intOption(values, "expires-in-days", 1, 3650);
    const gw = gateway();
    const minted = await unwrap(gw, gw.client.api.tokens.$post({ json: { name: args[0]!, ...(expiresInDays ? { expiresInDays } : {}) } }));
    out.data(minted);
    out.say(
      renderPairs([
        ["created", `${minted.name} (${minted.id})`],
        ["expires", minted.expiresAt ? formatTime(minted.expiresAt) : "never"],
        ["token", minted.token],
      ]),
    );
    out.say(`\nThe token is shown only now. Use it as LOOPGATE_URL=${gw.url} LOOPGATE_TOKEN=<token>, or send it as \`Authorization: Bearer <token>\`.`);
  },
};

const revoke: CommandSpec = {
  path: ["tokens", "revoke"],
  summary: "revoke an API token (by id or name); requests with it fail from then on",
  args: ["TOKEN"],
  remote: true,
  async run(ctx) {
    const gw = ctx.gateway();
    const token = await findToken(gw, ctx.args[0]!);
    await unwrap(gw, gw.client.api.tokens[":id"].$delete({ param: { id: token.id } }));
    ctx.out.data({ ok: true, id: token.id, name: token.name });
    ctx.out.say(`Revoked API token ${token.name ? `${token.name} ` : ""}(${token.id}).`);
    if (token.id === ownTokenId(ctx, gw)) ctx.out.progress(`That was this CLI's login; run \`loopgate login --url ${gw.url}\` to log in again.`);
  },
};

export const tokenCommands = [list, create, revoke];
