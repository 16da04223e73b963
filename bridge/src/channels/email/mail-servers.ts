/**
 * Real mail servers for tests, from Debian (`.ci/run` installs dovecot-imapd and postfix):
 * Dovecot serves IMAP from maildirs in a scratch folder; Postfix accepts submission over TLS
 * (a self-signed certificate made here, trusted by the bridge through NODE_EXTRA_CA_CERTS)
 * with logins checked by Dovecot, and delivers mail for the test domain into those same
 * maildirs, so a reply the bridge sends is read back over IMAP like any mail. Both run as root
 * with configs of their own in the scratch folder, on unprivileged ports.
 * (Debian 12's OpenSMTPD 6.8.0p2 fails every TLS handshake with OpenSSL 3: "EVP lib".)
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DOVECOT = "/usr/sbin/dovecot";
export const POSTFIX = "/usr/sbin/postfix";
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
      // Postfix asks Dovecot to check SMTP logins (smtpd_sasl_type = dovecot).
      "service auth {\n  unix_listener auth-postfix {\n    mode = 0666\n  }\n}",
      "",
    ].join("\n"),
  );
  return conf;
}

/** Postfix's own daemons, not chrooted (the scratch folder is not a chroot jail). */
const MASTER_CF = [
  "pickup unix n - n 60 1 pickup",
  "cleanup unix n - n - 0 cleanup",
  "qmgr unix n - n 300 1 qmgr",
  "tlsmgr unix - - n 1000? 1 tlsmgr",
  "rewrite unix - - n - - trivial-rewrite",
  "bounce unix - - n - 0 bounce",
  "defer unix - - n - 0 bounce",
  "trace unix - - n - 0 bounce",
  "verify unix - - n - 1 verify",
  "flush unix n - n 1000? 0 flush",
  "proxymap unix - - n - - proxymap",
  "smtp unix - - n - - smtp",
  "relay unix - - n - - smtp",
  "showq unix n - n - - showq",
  "error unix - - n - - error",
  "retry unix - - n - - error",
  "discard unix - - n - - discard",
  "local unix - n n - - local",
  "virtual unix - n n - - virtual",
  "anvil unix - - n - 1 anvil",
  "scache unix - - n - 1 scache",
  "postlog unix-dgram n - n - 1 postlogd",
];

function writePostfixConfig(dir: string, o: MailServersOptions): string {
  const conf = join(dir, "postfix");
  mkdirSync(conf);
  const cert = join(conf, "cert.pem");
  const key = join(conf, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  chmodSync(key, 0o600);
  const mailboxes = o.accounts.map((a) => `${a.user}@${MAIL_DOMAIN}=${a.user}/Maildir/`).join(", ");
  writeFileSync(
    join(conf, "main.cf"),
    [
      "compatibility_level = 3.6",
      `queue_directory = ${join(dir, "postfix-queue")}`,
      `data_directory = ${join(dir, "postfix-data")}`,
      `maillog_file = ${join(dir, "postfix.log")}`,
      `maillog_file_prefixes = ${dir}`,
      "myhostname = localhost",
      `mydomain = ${MAIL_DOMAIN}`,
      "mydestination =",
      "inet_interfaces = 127.0.0.1",
      "inet_protocols = ipv4",
      "smtputf8_enable = no",
      // Mail for the test domain lands in the maildirs Dovecot serves.
      `virtual_mailbox_domains = ${MAIL_DOMAIN}`,
      `virtual_mailbox_base = ${join(dir, "mail")}`,
      `virtual_mailbox_maps = inline:{ ${mailboxes} }`,
      `virtual_uid_maps = static:${MAIL_UID}`,
      `virtual_gid_maps = static:${MAIL_GID}`,
      `smtpd_tls_cert_file = ${cert}`,
      `smtpd_tls_key_file = ${key}`,
      // Logins are checked by Dovecot, as on most real mail hosts.
      "smtpd_sasl_type = dovecot",
      `smtpd_sasl_path = ${join(dir, "dovecot-run", "auth-postfix")}`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(conf, "master.cf"),
    [
      // Submission with implicit TLS (RFC 8314): only logged-in clients may send.
      `127.0.0.1:${o.smtpsPort} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes -o smtpd_relay_restrictions=permit_sasl_authenticated,reject -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject`,
      ...MASTER_CF,
      "",
    ].join("\n"),
  );
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
  const postfixConf = writePostfixConfig(dir, o);

  const dovecotLog = () => {
    try {
      return readFileSync(join(dir, "dovecot-start.log"), "utf8") + readFileSync(join(dir, "dovecot.log"), "utf8");
    } catch {
      return "";
    }
  };
  let postfix: ChildProcess | null = null;
  let postfixOut = "";
  const postfixLog = () => {
    try {
      return postfixOut + readFileSync(join(dir, "postfix.log"), "utf8");
    } catch {
      return postfixOut;
    }
  };

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
  // Postfix makes its queue folders itself (`postfix check`), but not their parents.
  mkdirSync(join(dir, "postfix-queue"));
  mkdirSync(join(dir, "postfix-data"));
  const postfixUid = Number(execFileSync("id", ["-u", "postfix"]).toString().trim());
  chownSync(join(dir, "postfix-data"), postfixUid, -1);
  execFileSync(POSTFIX, ["-c", postfixConf, "check"], { stdio: "ignore" });
  const startPostfix = async () => {
    // start-fg keeps Postfix's master process in the foreground, a child this test can stop.
    postfix = spawn(POSTFIX, ["-c", postfixConf, "start-fg"], { stdio: ["ignore", "pipe", "pipe"] });
    postfix.stdout?.on("data", (d: Buffer) => (postfixOut += d.toString()));
    postfix.stderr?.on("data", (d: Buffer) => (postfixOut += d.toString()));
    await waitListening(o.smtpsPort, "postfix", postfixLog);
  };
  const stopPostfix = async () => {
    const c = postfix;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    try {
      execFileSync(POSTFIX, ["-c", postfixConf, "stop"], { stdio: "ignore" });
    } catch {
      c.kill("SIGTERM");
    }
    await exited;
    postfix = null;
  };

  await startDovecot();
  await startPostfix();
  return {
    dir,
    /** The certificate of the SMTP server, for NODE_EXTRA_CA_CERTS. */
    certFile: join(postfixConf, "cert.pem"),
    address: (user: string) => `${user}@${MAIL_DOMAIN}`,
    startDovecot,
    stopDovecot,
    log: () => `${dovecotLog()}\n${postfixLog()}`,
    stop: async () => {
      await stopPostfix();
      await stopDovecot();
    },
  };
}
