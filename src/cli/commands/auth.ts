/**
 * `loopgate setup`, `login` and `logout`. A password login is traded at once for a named API
 * token (listed under /api/tokens, revocable), so the stored credential is not the short-lived
 * session and `logout` can revoke exactly what this machine holds.
 */
import { hostname } from "node:os";
import { intOption, stringOption } from "../options";
import type { CommandContext, CommandSpec } from "../command";
import { type Gateway, unwrap } from "../connection";
import { credentialsPath, removeLogin, saveLogin } from "../credentials";
import { CliError, EXIT, usageError } from "../errors";
import { ask, askHidden, isInteractive, readStdin } from "../prompt";

const passwordOptions = {
  username: { type: "string", short: "u", valueName: "name", description: "admin username (asked for when omitted)" },
  "password-stdin": { type: "boolean", description: "read the password from stdin instead of asking" },
  "expires-in-days": { type: "string", valueName: "days", description: "let the stored token expire (default: until logout)" },
} as const;

async function credentialsFrom(ctx: CommandContext): Promise<{ username: string; password: string }> {
  let username = stringOption(ctx.values, "username");
  if (ctx.values["password-stdin"]) {
    if (!username) throw usageError("--password-stdin needs --username");
    return { username, password: await readStdin() };
  }
  if (!isInteractive()) throw usageError("no terminal to ask for the password", "pipe it in with --username NAME --password-stdin, or pass --token");
  username ??= await ask("Username: ");
  return { username, password: await askHidden("Password: ") };
}

/** Trades a session token for a named API token, stores it, and ends the session. */
async function storeApiToken(ctx: CommandContext, gw: Gateway, sessionToken: string, username: string): Promise<void> {
  const expiresInDays = intOption(ctx.values, "expires-in-days", 1, 3650);
  const authed: Gateway = { ...gw, token: sessionToken, tokenSource: "--token" };
  const headers = { headers: { authorization: `Bearer ${sessionToken}` } };
  const minted = await unwrap(authed, gw.client.api.tokens.$post({ json: { name: `loopgate CLI ${username}@${hostname()}`, expiresInDays } }, headers));
  await unwrap(authed, gw.client.api.auth.logout.$post({}, headers));
  const path = credentialsPath(ctx.env);
  saveLogin(path, { url: gw.url, token: minted.token, tokenId: minted.id, username, savedAt: Date.now() });
  ctx.out.data({ url: gw.url, username, tokenId: minted.id, expiresAt: minted.expiresAt, credentialsFile: path });
  ctx.out.say(`Logged in to ${gw.url} as ${username}. Token stored in ${path} (readable by you only).`);
}

export const loginCommand: CommandSpec = {
  path: ["login"],
  summary: "log in to a gateway and store a token for later commands",
  remote: true,
  options: passwordOptions,
  details: "With --token, stores that token (after checking it) instead of asking for a password.",
  async run(ctx) {
    const gw = ctx.gateway({ anonymous: true });
    const given = stringOption(ctx.values, "token") ?? (ctx.env.LOOPGATE_TOKEN?.trim() || undefined);
    if (given) {
      const me = await unwrap(gw, gw.client.api.auth.me.$get());
      const path = credentialsPath(ctx.env);
      saveLogin(path, { url: gw.url, token: given, username: me.username, savedAt: Date.now() });
      ctx.out.data({ url: gw.url, username: me.username, credentialsFile: path });
      ctx.out.say(`Token for ${me.username} at ${gw.url} stored in ${path} (readable by you only).`);
      return;
    }
    const status = await unwrap(gw, gw.client.api.auth.status.$get());
    if (status.setupRequired)
      throw new CliError(`${gw.url} has no admin yet`, "create one with `loopgate setup --setup-token TOKEN` (the token `loopgate start` printed)");
    const { username, password } = await credentialsFrom(ctx);
    const login = await unwrap(gw, gw.client.api.auth.login.$post({ json: { username, password } })).catch((err: unknown) => {
      if (err instanceof CliError && err.exitCode === EXIT.auth)
        throw new CliError(err.message.replace(/^the gateway refused the token: /, ""), "check the username and password", EXIT.auth);
      throw err;
    });
    await storeApiToken(ctx, gw, login.token, login.username);
  },
};

export const setupCommand: CommandSpec = {
  path: ["setup"],
  summary: "create the first admin of a fresh gateway (needs its setup token), then log in",
  remote: true,
  options: {
    "setup-token": { type: "string", valueName: "token", description: "the gateway's setup token (env LOOPGATE_SETUP_TOKEN)" },
    ...passwordOptions,
  },
  details: "`loopgate start` prints the setup token of a local gateway; a deployed one uses its LOOPGATE_SETUP_TOKEN secret.",
  async run(ctx) {
    const gw = ctx.gateway({ anonymous: true });
    const setupToken = stringOption(ctx.values, "setup-token") ?? (ctx.env.LOOPGATE_SETUP_TOKEN?.trim() || undefined);
    if (!setupToken) throw usageError("missing --setup-token", "`loopgate start` printed it; or set LOOPGATE_SETUP_TOKEN");
    const { username, password } = await credentialsFrom(ctx);
    const created = await unwrap(gw, gw.client.api.auth.setup.$post({ json: { username, password, setupToken } }));
    ctx.out.progress(`Admin ${created.username} created.`);
    await storeApiToken(ctx, gw, created.token, created.username);
  },
};

export const logoutCommand: CommandSpec = {
  path: ["logout"],
  summary: "revoke the stored token and forget it",
  remote: true,
  async run(ctx) {
    const gw = ctx.gateway({ anonymous: true });
    const path = credentialsPath(ctx.env);
    const removed = removeLogin(path, gw.url);
    if (!removed) {
      ctx.out.data({ url: gw.url, loggedOut: false });
      ctx.out.say(`No stored login for ${gw.url}; nothing to do.`);
      return;
    }
    let revoked = false;
    if (removed.tokenId) {
      const authed = { ...gw, token: removed.token };
      try {
        await unwrap(
          authed,
          gw.client.api.tokens[":id"].$delete({ param: { id: removed.tokenId } }, { headers: { authorization: `Bearer ${removed.token}` } }),
        );
        revoked = true;
      } catch (err) {
        ctx.out.progress(
          `loopgate: could not revoke the token on the gateway (${err instanceof Error ? err.message : String(err)}); it was removed from this machine. Revoke it in the dashboard under API tokens.`,
        );
      }
    }
    ctx.out.data({ url: gw.url, loggedOut: true, revoked });
    ctx.out.say(`Logged out of ${gw.url}${revoked ? "; the token was revoked" : ""}.`);
  },
};
