/**
 * IMAP/SMTP e-mail end to end: the gateway (`npm start`) and the bridge as processes, a real
 * Dovecot holding the mailboxes and a real Postfix taking the bot's replies (TLS, login) and
 * delivering them into the human's mailbox. Mail for the bot is APPENDed to its INBOX, as a
 * delivering server would; the human's INBOX is read back over IMAP. The echo model answers.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BridgeProcess, startBridge } from "../../../../test/support/bridge-process";
import { apiClient, type GatewayProcess, setupAdmin, startGateway, waitFor } from "../../../../test/support/gateway-process";
import { startMailServers } from "./mail-servers";

const GATEWAY_PORT = 9250;
const IMAP_PORT = 11143;
const SMTPS_PORT = 11465;
const BOT = { user: "bot", password: "bot-imap-password" };
const ALICE = { user: "alice", password: "alice-imap-password" };
const AUTHSERV = "mx.loopgate.test";

type Parsed = Awaited<ReturnType<typeof PostalMime.parse>>;

function imap(account: { user: string; password: string }) {
  return new ImapFlow({
    host: "127.0.0.1",
    port: IMAP_PORT,
    secure: false,
    doSTARTTLS: false,
    auth: { user: `${account.user}@loopgate.test`, pass: account.password },
    logger: false,
  });
}

let counter = 0;
/** A message from alice as the receiving server stores it: its Authentication-Results on top. */
function mail(opts: { subject: string; body?: string; html?: string; headers?: string[]; id?: string; auth?: string | null; parts?: string }) {
  const id = opts.id ?? `<q${++counter}.${Date.now()}@loopgate.test>`;
  const auth =
    opts.auth === undefined ? `Authentication-Results: ${AUTHSERV}; dkim=pass header.d=loopgate.test; dmarc=pass header.from=loopgate.test` : opts.auth;
  const head = [
    ...(auth ? [auth] : []),
    "From: Alice Example <alice@loopgate.test>",
    "To: bot@loopgate.test",
    `Subject: ${opts.subject}`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    ...(opts.headers ?? []),
  ];
  const body =
    opts.parts ??
    (opts.html ? `Content-Type: text/html; charset=utf-8\r\n\r\n${opts.html}` : `Content-Type: text/plain; charset=utf-8\r\n\r\n${opts.body ?? ""}`);
  return { id, raw: `${head.join("\r\n")}\r\n${body}\r\n` };
}

describe("e-mail over IMAP and SMTP through the bridge", () => {
  let servers: Awaited<ReturnType<typeof startMailServers>>;
  let gw: GatewayProcess;
  let api: ReturnType<typeof apiClient>;
  let bridge: BridgeProcess;
  let bridgeToken: string;
  let channelId: string;
  const bridgeData = mkdtempSync(join(tmpdir(), "loopgate-mail-bridge-"));
  const status = async () => (await api<{ channel: { status: string } }>("GET", `/api/channels/${channelId}`)).body.channel.status;
  const runBridge = () => startBridge({ url: gw.url, token: bridgeToken, dataDir: bridgeData, env: { NODE_EXTRA_CA_CERTS: servers.certFile } });

  /** Puts a message into the bot's INBOX, as the receiving server does. */
  async function deliver(raw: string): Promise<void> {
    const client = imap(BOT);
    await client.connect();
    await client.append("INBOX", raw);
    await client.logout();
  }

  /** Everything in alice's INBOX: the bot's replies. */
  async function aliceInbox(): Promise<Parsed[]> {
    const client = imap(ALICE);
    await client.connect();
    try {
      const box = await client.mailboxOpen("INBOX");
      if (!box.exists) return [];
      const all = await client.fetchAll("1:*", { source: true });
      return Promise.all(all.map((m) => PostalMime.parse(m.source!)));
    } finally {
      await client.logout();
    }
  }

  async function replyTo(messageId: string, timeoutMs = 45_000): Promise<Parsed> {
    let found: Parsed | undefined;
    await waitFor(
      async () => {
        found = (await aliceInbox()).find((m) => m.inReplyTo === messageId);
        return found !== undefined;
      },
      timeoutMs,
      `a reply to ${messageId}`,
    );
    return found!;
  }

  beforeAll(async () => {
    servers = await startMailServers({ imapPort: IMAP_PORT, smtpsPort: SMTPS_PORT, accounts: [BOT, ALICE] });
    gw = await startGateway({ port: GATEWAY_PORT, env: { API_RATE_LIMIT_PER_MINUTE: "100000" } });
    api = (await setupAdmin(gw)).api;
    const created = await api<{ bridge: { id: string }; token: string }>("POST", "/api/bridges", { name: "mail-host" });
    bridgeToken = created.body.token;
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "email-imap",
      name: "Bot mailbox",
      policy: "open",
      config: {
        bridgeId: created.body.bridge.id,
        address: "bot@loopgate.test",
        fromName: "Loopgate Bot",
        imapHost: "127.0.0.1",
        imapPort: IMAP_PORT,
        imapSecurity: "none",
        imapUser: "bot@loopgate.test",
        imapPassword: BOT.password,
        smtpHost: "localhost",
        smtpPort: SMTPS_PORT,
        smtpSecurity: "tls",
        trustedAuthServId: AUTHSERV,
      },
    });
    expect(ch.status).toBe(201);
    channelId = ch.body.channel.id;
    bridge = runBridge();
    await waitFor(async () => (await status()) === "connected", 60_000, "mailbox channel connected");
  }, 180_000);

  afterAll(async () => {
    await bridge?.kill();
    await gw?.stop();
    await servers?.stop();
  });

  it("answers a mail by SMTP in its thread, without the quoted history and signature", async () => {
    const q = mail({
      subject: "Lunch plans",
      body: "What about Friday?\r\n\r\n-- \r\nAlice\r\n\r\nOn Mon, 7 Dec 2026, Bot <bot@loopgate.test> wrote:\r\n> an older answer",
    });
    await deliver(q.raw);
    const reply = await replyTo(q.id);
    expect(reply.subject).toBe("Re: Lunch plans");
    expect(reply.references).toContain(q.id);
    expect(reply.from?.address).toBe("bot@loopgate.test");
    expect(reply.headers.find((h) => h.key === "auto-submitted")?.value).toBe("auto-replied");
    expect(reply.text).toContain("You said: What about Friday?");
    expect(reply.text).not.toContain("older answer");
    expect(reply.text).not.toContain("Alice");
  });

  it("reads an HTML-only mail as text, and the text of an attached file", async () => {
    const html = mail({ subject: "Formatted", html: "<html><body><p>Hello <b>from</b> an HTML mail</p></body></html>" });
    await deliver(html.raw);
    const htmlReply = await replyTo(html.id);
    expect(htmlReply.text).toContain("Hello from an HTML mail");
    expect(htmlReply.text).not.toContain("<b>");

    const boundary = "b-1";
    const attached = mail({
      subject: "See the notes",
      parts: [
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "",
        `--${boundary}`,
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Summarise the attached notes please.",
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8; name="notes.txt"',
        'Content-Disposition: attachment; filename="notes.txt"',
        "",
        "Budget meeting moved to Thursday.",
        `--${boundary}--`,
      ].join("\r\n"),
    });
    await deliver(attached.raw);
    const attachedReply = await replyTo(attached.id);
    expect(attachedReply.text).toContain("Summarise the attached notes please.");
    expect(attachedReply.text).toContain("[attachment notes.txt (text/plain)]");
    expect(attachedReply.text).toContain("Budget meeting moved to Thursday.");
  });

  it("leaves auto-replies, list mail, bulk mail and forged senders unanswered", async () => {
    const ignored = [
      mail({ subject: "Out of office", body: "I am away", headers: ["Auto-Submitted: auto-replied"] }),
      mail({ subject: "[list] news", body: "list post", headers: ["List-Id: <news.lists.loopgate.test>"] }),
      mail({ subject: "Newsletter", body: "bulk", headers: ["Precedence: bulk"] }),
      // No result from the receiving server at all: the From header alone proves nothing.
      mail({ subject: "Forged", body: "trust me", auth: null }),
      mail({ subject: "Forged 2", body: "trust me too", auth: `Authentication-Results: ${AUTHSERV}; dmarc=fail header.from=loopgate.test` }),
    ];
    for (const m of ignored) await deliver(m.raw);
    // Mail is read in UID order: once the next question is answered, the ignored ones were read.
    const after = mail({ subject: "Still there?", body: "Are you still there?" });
    await deliver(after.raw);
    await replyTo(after.id);
    const inbox = await aliceInbox();
    for (const m of ignored) expect(inbox.some((r) => r.inReplyTo === m.id)).toBe(false);
    const reasons = bridge.logs("mail left unanswered").map((l) => l.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        "Auto-Submitted: auto-replied",
        "mailing-list message",
        "Precedence: bulk",
        `no authentication results from ${AUTHSERV} (the receiving server) at the top of the message`,
        "DMARC check failed",
      ]),
    );
  });

  it("answers mail that arrived while the bridge was down once it restarts, each exactly once", async () => {
    const first = mail({ subject: "Trip", body: "Where shall we go?" });
    await deliver(first.raw);
    const firstReply = await replyTo(first.id);

    await bridge.kill();
    // The conversation goes on while nobody listens: a reply in the thread, and a new question.
    const followUp = mail({
      subject: "Re: Trip",
      body: `Somewhere warm.\r\n\r\nOn ${new Date().toUTCString()}, Loopgate Bot <bot@loopgate.test> wrote:\r\n> ${firstReply.text?.split("\n")[0]}`,
      headers: [`In-Reply-To: ${firstReply.messageId}`, `References: ${first.id} ${firstReply.messageId}`],
    });
    const other = mail({ subject: "Another thing", body: "And the dates?" });
    await deliver(followUp.raw);
    await deliver(other.raw);

    bridge = runBridge();
    const followReply = await replyTo(followUp.id, 60_000);
    await replyTo(other.id, 60_000);
    expect(followReply.subject).toBe("Re: Trip");
    expect(followReply.text).toContain("You said: Somewhere warm.");
    expect(followReply.text).not.toContain("Where shall we go");
    // The same conversation: the echo model counts alice's turns.
    expect(followReply.text).toMatch(/\(turn (\d+)\)/);
    expect(Number(/\(turn (\d+)\)/.exec(followReply.text ?? "")![1])).toBeGreaterThan(Number(/\(turn (\d+)\)/.exec(firstReply.text ?? "")![1]));

    // A last question after the restart: once it is answered, anything doubled would be there too.
    const last = mail({ subject: "Last one", body: "Thanks!" });
    await deliver(last.raw);
    await replyTo(last.id);
    const inbox = await aliceInbox();
    const counts = new Map<string, number>();
    for (const r of inbox) if (r.inReplyTo) counts.set(r.inReplyTo, (counts.get(r.inReplyTo) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.get(followUp.id)).toBe(1);
    expect(counts.get(other.id)).toBe(1);
  });

  it("reports a refused IMAP login as failed, with the server's answer", async () => {
    const bridges = await api<{ bridges: { id: string }[] }>("GET", "/api/bridges");
    const ch = await api<{ channel: { id: string } }>("POST", "/api/channels", {
      type: "email-imap",
      name: "Wrong password",
      policy: "open",
      config: {
        bridgeId: bridges.body.bridges[0]!.id,
        address: "bot@loopgate.test",
        imapHost: "127.0.0.1",
        imapPort: IMAP_PORT,
        imapSecurity: "none",
        imapUser: "bot@loopgate.test",
        imapPassword: "not-the-password",
        smtpHost: "localhost",
        smtpPort: SMTPS_PORT,
        smtpSecurity: "tls",
      },
    });
    expect(ch.status).toBe(201);
    const channel = async () => (await api<{ channel: { status: string; lastError?: string } }>("GET", `/api/channels/${ch.body.channel.id}`)).body.channel;
    await waitFor(async () => (await channel()).status === "failed", 60_000, "channel failed");
    expect((await channel()).lastError).toContain("IMAP login refused for bot@loopgate.test");
    await api("DELETE", `/api/channels/${ch.body.channel.id}`);
  });

  it("reconnects after the IMAP server restarts and reads what arrived meanwhile", async () => {
    await servers.stopDovecot();
    await waitFor(async () => (await status()) === "connecting", 30_000, "channel reported connecting");
    await servers.startDovecot();
    const q = mail({ subject: "After the outage", body: "Did you miss me?" });
    await deliver(q.raw);
    const reply = await replyTo(q.id, 90_000);
    expect(reply.text).toContain("You said: Did you miss me?");
    await waitFor(async () => (await status()) === "connected", 30_000, "channel connected again");
  });
});
