/**
 * `loopgate start --config FILE`, second half: once the gateway it started answers, the file's
 * channels and jobs are applied exactly as `loopgate apply --config FILE` would, as an admin.
 * The admin's own login is used (--token, LOOPGATE_TOKEN, or the login `loopgate setup` /
 * `loopgate login` stored for this URL); start never creates an admin or a token by itself.
 * Until a valid login exists it waits and says how to make one.
 */
import { applyCommand } from "./commands/apply";
import type { CommandContext } from "./command";
import { resolveGateway } from "./connection";
import { CliError, EXIT } from "./errors";

const POLL_MS = 1000;
const READY_TIMEOUT_MS = 180_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthy(url: string): Promise<boolean> {
  return fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) })
    .then((r) => r.ok)
    .catch(() => false);
}

/**
 * Waits for the gateway at `url`, then applies `configPath` with the first login that works.
 * `running()` turns false when the gateway process has exited: then nothing is applied.
 */
export async function applyOnStart(ctx: CommandContext, url: string, configPath: string, running: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await healthy(url))) {
    if (!running()) return;
    if (Date.now() > deadline) throw new CliError(`the gateway did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s`, "its output above says why");
    await sleep(POLL_MS);
  }
  let refused: string | undefined;
  let told = false;
  while (running()) {
    const gw = resolveGateway({ url, ...(typeof ctx.values.token === "string" ? { token: ctx.values.token } : {}) }, ctx.env, { anonymous: true });
    if (gw.token && gw.token !== refused) {
      try {
        ctx.out.progress(`loopgate: applying ${configPath} as the admin of ${url} (${gw.tokenSource})`);
        await applyCommand.run({ ...ctx, values: { config: configPath }, gateway: () => gw });
        return;
      } catch (err) {
        // A login from an earlier state directory: wait for a fresh one instead of giving up.
        if (!(err instanceof CliError) || err.exitCode !== EXIT.auth) throw err;
        refused = gw.token;
      }
    }
    if (!told) {
      ctx.out.progress(
        [
          `loopgate: ${configPath} is applied as soon as an admin of ${url} is logged in on this machine.`,
          `  A fresh gateway: in another terminal, \`loopgate setup --url ${url} --setup-token <the token printed above>\`.`,
          `  An existing admin: \`loopgate login --url ${url}\`. Or restart with LOOPGATE_TOKEN set to an API token.`,
        ].join("\n"),
      );
      told = true;
    }
    await sleep(POLL_MS);
  }
}
