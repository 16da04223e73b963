/**
 * Real mail servers for tests, from Debian (`.ci/run` installs dovecot-imapd and opensmtpd):
 * Dovecot serves IMAP from maildirs in a scratch folder, OpenSMTPD accepts authenticated
 * submission over TLS (a self-signed certificate made here, trusted by the bridge through
 * NODE_EXTRA_CA_CERTS) and delivers mail for the test domain into those same maildirs, so a
 * reply the bridge sends is read back over IMAP like any mail. Both run as root in the
 * foreground-less way their packages allow, on unprivileged ports, and are stopped by the test.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DOVECOT = "/usr/sbin/dovecot";
export const SMTPD = "/usr/sbin/smtpd";
export const MAIL_DOMAIN = "loopgate.test";
/** Mail is stored as this user (nobody): OpenSMTPD will not deliver as root. */
const MAIL_UID = 65534;
const MAIL_GID = 65534;

export interface MailAccount {
  user: string;
  password: string;
}

export interface MailServersOptions {
  imapPort: number;
  /** SMTP submission with implicit TLS and AUTH. */
  smtpsPort: number;
  accounts: MailAccount[];
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
  });

async function waitListening(port: number, what: string, log: () => string): Promise<void> {
  for (let i = 0; i < 150 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await listening(port))) throw new Error(`${what} did not listen on ${port}:\n${log()}`);
}

function writeDovecotConfig(dir: string, o: MailServersOptions): string {
  const passwd = join(dir, "dovecot.passwd");
  writeFileSync(passwd, o.accounts.map((a) => `${a.user}@${MAIL_DOMAIN}:{PLAIN}${a.password}`).join("\n") + "\n");
  const conf = join(dir, "dovecot.conf");
  writeFileSync(
    conf,
    [
      "protocols = imap",
      "listen = 127.0.0.1",
      `base_dir = ${join(dir, "dovecot-run")}`,
      `state_dir = ${join(dir, "dovecot-state")}`,
      `log_path = ${join(dir, "dovecot.log")}`,
      "ssl = no",
      "disable_plaintext_auth = no",
      "auth_mechanisms = plain login",
      `passdb {\n  driver = passwd-file\n  args = ${passwd}\n}`,
      `userdb {\n  driver = static\n  args = uid=${MAIL_UID} gid=${MAIL_GID} home=${join(dir, "mail")}/%n\n}`,
      `mail_location = maildir:${join(dir, "mail")}/%n/Maildir`,
      "first_valid_uid = 1",
      `service imap-login {\n  inet_listener imap {\n    port = ${o.imapPort}\n  }\n}`,
      "",
    ].join("\n"),
  );
  return conf;
}

function writeSmtpdConfig(dir: string, o: MailServersOptions): string {
  const cert = join(dir, "smtp-cert.pem");
  const key = join(dir, "smtp-key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
  chmodSync(key, 0o600);
  const creds = join(dir, "smtp-creds");
  const hash = (password: string) => execFileSync("smtpctl", ["encrypt", password]).toString().trim();
  writeFileSync(creds, o.accounts.map((a) => `${a.user}@${MAIL_DOMAIN} ${hash(a.password)}`).join("\n") + "\n", { mode: 0o600 });
  const conf = join(dir, "smtpd.conf");
  writeFileSync(
    conf,
    [
      `pki localhost cert "${cert}"`,
      `pki localhost key "${key}"`,
      `table creds file:${creds}`,
      `listen on 127.0.0.1 port ${o.smtpsPort} smtps pki localhost auth <creds> hostname localhost`,
      `action "store" maildir "${join(dir, "mail")}/%{rcpt.user}/Maildir" user nobody`,
      `match auth from any for domain "${MAIL_DOMAIN}" action "store"`,
      "",
    ].join("\n"),
  );
  chmodSync(conf, 0o600);
  return conf;
}

export async function startMailServers(o: MailServersOptions) {
  const dir = mkdtempSync(join(tmpdir(), "loopgate-mail-"));
  // The mail user (nobody) must reach its maildirs inside the scratch folder.
  chmodSync(dir, 0o755);
  const mail = join(dir, "mail");
  mkdirSync(mail);
  chownSync(mail, MAIL_UID, MAIL_GID);
  const dovecotConf = writeDovecotConfig(dir, o);
  const smtpdConf = writeSmtpdConfig(dir, o);
  // OpenSMTPD's queue lives where it was built to keep it; the package does not create it until first run.
  mkdirSync("/var/spool/smtpd", { recursive: true, mode: 0o711 });

  const dovecotLog = () => {
    try {
      return readFileSync(join(dir, "dovecot-start.log"), "utf8") + readFileSync(join(dir, "dovecot.log"), "utf8");
    } catch {
      return "";
    }
  };
  let smtpd: ChildProcess | null = null;
  let smtpdLog = "";

  const startDovecot = async () => {
    // Dovecot forks into the background; its output goes to a file so no pipe keeps this waiting.
    const out = openSync(join(dir, "dovecot-start.log"), "a");
    try {
      execFileSync(DOVECOT, ["-c", dovecotConf], { stdio: ["ignore", out, out] });
    } finally {
      closeSync(out);
    }
    await waitListening(o.imapPort, "dovecot", dovecotLog);
  };
  const stopDovecot = async () => {
    try {
      execFileSync(DOVECOT, ["-c", dovecotConf, "stop"], { stdio: "ignore" });
    } catch {
      // not running
    }
    for (let i = 0; i < 100 && (await listening(o.imapPort)); i++) await new Promise((r) => setTimeout(r, 100));
  };
  const startSmtpd = async () => {
    smtpd = spawn(SMTPD, ["-d", "-f", smtpdConf], { stdio: ["ignore", "pipe", "pipe"] });
    smtpd.stdout?.on("data", (d: Buffer) => (smtpdLog += d.toString()));
    smtpd.stderr?.on("data", (d: Buffer) => (smtpdLog += d.toString()));
    await waitListening(o.smtpsPort, "smtpd", () => smtpdLog);
  };
  const stopSmtpd = async () => {
    const c = smtpd;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
    smtpd = null;
  };

  await startDovecot();
  await startSmtpd();
  return {
    dir,
    /** The certificate of the SMTP server, for NODE_EXTRA_CA_CERTS. */
    certFile: join(dir, "smtp-cert.pem"),
    address: (user: string) => `${user}@${MAIL_DOMAIN}`,
    startDovecot,
    stopDovecot,
    log: () => `${dovecotLog()}\n${smtpdLog}`,
    stop: async () => {
      await stopSmtpd();
      await stopDovecot();
    },
  };
}
