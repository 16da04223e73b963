/**
 * `loopgate password` and `loopgate sessions list|revoke`: the admin's own credentials. A
 * password change ends every other login session (the CLI's own API token stays valid);
 * `sessions revoke --all` is "log out everywhere".
 */
import type { CommandSpec } from "../command";
import { unwrap } from "../connection";
import { usageError } from "../errors";
import { formatTime } from "../output";
import { askHidden, isInteractive, readStdin } from "../prompt";

async function passwords(fromStdin: boolean): Promise<{ currentPassword: string; newPassword: string }> {
  if (fromStdin) {
    const [currentPassword, newPassword] = (await readStdin()).split(/\r?\n/);
    if (!currentPassword || !newPassword) throw usageError("--password-stdin expects two lines: the current password, then the new one");
    return { currentPassword, newPassword };
  }
  if (!isInteractive()) throw usageError("no terminal to ask for the passwords", "pipe them in, one a line, with --password-stdin");
  const currentPassword = await askHidden("Current password: ");
  const newPassword = await askHidden("New password (at least 10 characters): ");
  if ((await askHidden("New password again: ")) !== newPassword) throw usageError("the new passwords differ");
  return { currentPassword, newPassword };
}

const password: CommandSpec = {
  path: ["password"],
  summary: "change the admin password; every other login session ends",
  remote: true,
  options: { "password-stdin": { type: "boolean", description: "read the current and the new password from stdin, one a line" } },
  async run({ values, gateway, out }) {
    const gw = gateway();
    const json = await passwords(values["password-stdin"] === true);
    const res = await unwrap(gw, gw.client.api.auth.password.$post({ json }));
    out.data(res);
    out.say(`Password changed; ${res.revokedSessions} other session(s) logged out.`);
  },
};

const list: CommandSpec = {
  path: ["sessions", "list"],
  summary: "list the admin's login sessions (dashboard logins; API tokens are under `tokens list`)",
  remote: true,
  async run({ gateway, out }) {
    const gw = gateway();
    const { sessions } = await unwrap(gw, gw.client.api.auth.sessions.$get());
    out.data({ sessions });
    out.table(
      ["id", "created", "expires", "last used", ""],
      sessions.map((s) => [
        s.id,
        formatTime(s.createdAt),
        s.expiresAt ? formatTime(s.expiresAt) : "never",
        formatTime(s.lastUsedAt),
        s.current ? "(this one)" : "",
      ]),
      "No login sessions.",
    );
  },
};

const revoke: CommandSpec = {
  path: ["sessions", "revoke"],
  summary: "log a session out (by id), or every session with --all",
  args: ["[ID]"],
  remote: true,
  options: {
    all: { type: "boolean", description: "log out everywhere: every session but the one asking" },
    "include-api-tokens": { type: "boolean", description: "with --all, revoke every API token too (scripts, other CLIs; this CLI's own stays)" },
  },
  async run({ args, values, gateway, out }) {
    const gw = gateway();
    if (values.all) {
      const res = await unwrap(gw, gw.client.api.auth["logout-everywhere"].$post({ json: { includeApiTokens: values["include-api-tokens"] === true } }));
      out.data(res);
      out.say(`Logged out everywhere: ${res.revoked} credential(s) revoked.`);
      return;
    }
    if (!args[0]) throw usageError("give a session id (see `loopgate sessions list`) or --all");
    await unwrap(gw, gw.client.api.auth.sessions[":id"].$delete({ param: { id: args[0] } }));
    out.data({ ok: true, id: args[0] });
    out.say(`Session ${args[0]} logged out.`);
  },
};

export const accountCommands = [password, list, revoke];
