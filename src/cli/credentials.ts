/**
 * Stored logins: one token per gateway URL in `$XDG_CONFIG_HOME/loopgate/credentials.json`
 * (default `~/.config/loopgate/`), the folder 0700 and the file 0600, written atomically so a
 * crash never leaves half a file. The last login becomes the default gateway.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { CliError } from "./errors";

export interface StoredLogin {
  /** Normalized gateway URL (see normalizeUrl). */
  url: string;
  token: string;
  /** Server-side id of an API token the CLI minted, so logout can revoke it. */
  tokenId?: string;
  username?: string;
  /** Epoch milliseconds. */
  savedAt: number;
}

export interface CredentialsFile {
  /** The gateway used when neither --url nor LOOPGATE_URL is given. */
  current?: string;
  logins: Record<string, StoredLogin>;
}

export function credentialsPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), ".config");
  return join(base, "loopgate", "credentials.json");
}

/** "http://Host:8787/" and "http://host:8787" are one gateway. */
export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `http://${raw}`);
  } catch {
    throw new CliError(`"${raw}" is not a URL`, "pass the gateway's address, e.g. --url https://loopgate.example.workers.dev", 2);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`"${raw}" is not an http(s) URL`, undefined, 2);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export function readCredentials(path: string): CredentialsFile {
  if (!existsSync(path)) return { logins: {} };
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<CredentialsFile>;
    return { current: parsed.current, logins: parsed.logins ?? {} };
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, "fix or delete the file, then log in again");
  }
}

function writeCredentials(path: string, file: CredentialsFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  // mode applies only to new files; a leftover temp file or a loose umask must not widen it.
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export function saveLogin(path: string, login: StoredLogin): void {
  const file = readCredentials(path);
  file.logins[login.url] = login;
  file.current = login.url;
  writeCredentials(path, file);
}

/** Forgets one gateway's login; returns what was stored, if anything. */
export function removeLogin(path: string, url: string): StoredLogin | undefined {
  const file = readCredentials(path);
  const removed = file.logins[url];
  if (!removed) return undefined;
  delete file.logins[url];
  if (file.current === url) file.current = Object.keys(file.logins)[0];
  if (Object.keys(file.logins).length === 0) rmSync(path, { force: true });
  else writeCredentials(path, file);
  return removed;
}
