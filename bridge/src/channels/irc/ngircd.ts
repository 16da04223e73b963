/**
 * A real IRC server for tests: Debian's ngircd on 127.0.0.1 with a generated config, in the
 * foreground, restartable on the same port (to test reconnect and rejoin).
 * `.ci/run` installs it (`apt-get install ngircd`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const NGIRCD = "/usr/sbin/ngircd";

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
  });

export async function startNgircd(port: number) {
  const dir = mkdtempSync(join(tmpdir(), "ngircd-"));
  const conf = join(dir, "ngircd.conf");
  writeFileSync(
    conf,
    [
      "[Global]",
      "Name = irc.loopgate.test",
      "Info = Loopgate test IRC server",
      "AdminInfo1 = tests",
      "AdminInfo2 = tests",
      "AdminEMail = tests@loopgate.test",
      "Listen = 127.0.0.1",
      `Ports = ${port}`,
      'MotdPhrase = "Loopgate test server"',
      `PidFile = ${join(dir, "ngircd.pid")}`,
      "[Limits]",
      "MaxNickLength = 30",
      "[Options]",
      "PAM = no",
      "Ident = no",
      "DNS = no",
      "",
    ].join("\n"),
  );
  let child: ChildProcess | null = null;
  let log = "";
  const start = async () => {
    child = spawn(NGIRCD, ["--nodaemon", "--config", conf], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    for (let i = 0; i < 100 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await listening(port))) throw new Error(`ngircd did not listen on ${port}:\n${log}`);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
    child = null;
  };
  await start();
  return { port, start, stop, log: () => log };
}
