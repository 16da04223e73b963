/**
 * The IMAP/SMTP e-mail channel as the bridge runs it: one IMAP connection (imapflow) that
 * selects the watched folder and waits in IDLE; every new UID is fetched, read
 * (read-message.ts) and written to the outbox, then the UID cursor moves (uid-cursor.ts).
 * A dropped connection is reopened with backoff and resumes from the cursor, so mail that
 * arrived during a gap or while the bridge was down is read once. Replies go out by SMTP.
 */
import { ImapFlow } from "imapflow";
import { type MailboxConfig, imapPortOf, mailboxConfigSchema } from "../../../../src/channels/email/mailbox";
import { MAX_EMAIL_BYTES } from "../../../../src/channels/email/inbound";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, RunningChannel } from "../shared/types";
import { readMailboxMessage } from "./read-message";
import { createSmtpTransport, sendMailboxReply } from "./smtp";
import { UidCursor, type UidPosition } from "./uid-cursor";

const RECONNECT = { baseMs: 1000, maxMs: 60_000 };

class MailboxConnection implements RunningChannel {
  private readonly cursor: UidCursor;
  private readonly smtp: ReturnType<typeof createSmtpTransport>;
  private client: ImapFlow | null = null;
  /** The client whose folder is open and whose cursor is settled: only then is new mail read. */
  private ready: ImapFlow | null = null;
  private stopped = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  /** One read of new mail at a time; a new-mail signal during a read asks for one more. */
  private reading: Promise<void> | null = null;
  private readAgain = false;

  constructor(
    private readonly config: MailboxConfig,
    private readonly host: ChannelHost,
  ) {
    this.cursor = new UidCursor(host.dataDir);
    this.smtp = createSmtpTransport(config);
    host.state("connecting");
    void this.connect();
  }

  send(reply: Parameters<RunningChannel["send"]>[0]): Promise<DeliveryOutcome> {
    return sendMailboxReply(this.smtp, this.config, reply);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.ready = null;
    await client?.logout().catch(() => client.close());
    this.smtp.close();
    this.host.state("stopped");
  }

  private async connect(): Promise<void> {
    const c = this.config;
    const client = new ImapFlow({
      host: c.imapHost,
      port: imapPortOf(c),
      secure: c.imapSecurity === "tls",
      // "starttls" must upgrade, so the password never crosses in clear; "none" never tries.
      doSTARTTLS: c.imapSecurity === "tls" ? undefined : c.imapSecurity === "starttls",
      auth: { user: c.imapUser, pass: c.imapPassword },
      logger: false,
    });
    this.client = client;
    client.on("error", (err: Error) => this.host.log.warn("imap error", { error: err.message }));
    client.on("close", () => this.onClose(client));
    client.on("exists", () => this.readNewMail(client));
    try {
      await client.connect();
      const mailbox = await client.mailboxOpen(c.mailbox);
      // Stopped (or replaced) while logging in: this connection is no longer wanted.
      if (this.client !== client) return void client.close();
      this.startPosition(String(mailbox.uidValidity), mailbox.uidNext);
      this.ready = client;
      this.attempt = 0;
      this.host.state("connected");
      // Everything that arrived while nobody was listening; IDLE starts once this is done.
      await this.readNewMail(client);
    } catch (err) {
      const error = err as { authenticationFailed?: boolean; responseText?: string; message?: string };
      if (error.authenticationFailed) {
        this.stopped = true;
        this.host.state("failed", `IMAP login refused for ${c.imapUser}: ${error.responseText ?? error.message ?? "authentication failed"}`);
        client.close();
        return;
      }
      this.host.log.warn("imap connect failed", { error: error.message ?? String(err) });
      client.close();
      // A connection refused before it opened emits no "close": schedule the retry here (once).
      this.onClose(client, `IMAP ${c.imapHost}: ${error.responseText ?? error.message ?? String(err)}; retrying`);
    }
  }

  /**
   * First start: mail already in the folder is history, not questions. A changed UIDVALIDITY
   * (the folder was recreated): UIDs mean nothing any more, so the date of the last handled
   * message decides what is new (readNewMail), and the Message-ID dedupe catches overlaps.
   */
  private startPosition(uidValidity: string, uidNext: number): void {
    const saved = this.cursor.read();
    if (saved?.uidValidity === uidValidity) return;
    if (saved) this.host.log.warn("mailbox UIDVALIDITY changed; reading mail newer than the last handled", { was: saved.uidValidity, now: uidValidity });
    this.cursor.write(
      saved ? { uidValidity, lastUid: 0, lastInternalDate: saved.lastInternalDate } : { uidValidity, lastUid: uidNext - 1, lastInternalDate: 0 },
    );
  }

  private readNewMail(client: ImapFlow): Promise<void> {
    // EXISTS arrives while the folder is being selected, before the cursor is checked against it.
    if (this.ready !== client) return Promise.resolve();
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.readAgain = false;
        await this.readOnce(client);
      } while (this.readAgain && !this.stopped);
    })()
      .catch((err: unknown) => this.host.log.warn("reading new mail failed; retried on reconnect", { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => (this.reading = null));
    return this.reading;
  }

  private async readOnce(client: ImapFlow): Promise<void> {
    const position = this.cursor.read();
    if (!position || this.ready !== client) return;
    // "N:*" always includes the highest UID, even below N (RFC 3501 §6.4.8): filter again.
    const list = await client.fetchAll(`${position.lastUid + 1}:*`, { uid: true, size: true, internalDate: true }, { uid: true });
    const fresh = list
      .filter((m) => m.uid > position.lastUid && (position.lastUid > 0 || dateMs(m.internalDate) > position.lastInternalDate))
      .sort((a, b) => a.uid - b.uid);
    for (const meta of fresh) {
      if (this.stopped || this.ready !== client) return;
      await this.handle(client, meta.uid, meta.size ?? 0);
      this.cursor.write({ uidValidity: position.uidValidity, lastUid: meta.uid, lastInternalDate: dateMs(meta.internalDate) } satisfies UidPosition);
    }
  }

  private async handle(client: ImapFlow, uid: number, size: number): Promise<void> {
    if (size > MAX_EMAIL_BYTES) {
      this.host.log.warn("mail left unanswered", { uid, reason: `larger than ${MAX_EMAIL_BYTES} bytes` });
      return;
    }
    const fetched = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    if (!fetched || !fetched.source) return;
    const read = await readMailboxMessage(fetched.source, this.config);
    if (read.kind === "skipped") {
      // Written down, not just gone: an admin can see why a mail got no answer.
      this.host.log.info("mail left unanswered", { uid, reason: read.reason, ...(read.senderId ? { senderId: read.senderId } : {}) });
      return;
    }
    this.host.receive(read.message, read.files);
  }

  private onClose(client: ImapFlow, reason = `IMAP connection to ${this.config.imapHost} lost; reconnecting`): void {
    if (this.client !== client) return;
    this.client = null;
    this.ready = null;
    if (this.stopped) return;
    const delay = backoffDelayMs(this.attempt++, RECONNECT);
    this.host.state("connecting", reason);
    this.retry = setTimeout(() => void this.connect(), delay);
  }
}

function dateMs(value: Date | string | undefined): number {
  return value ? new Date(value).getTime() : 0;
}

export const mailboxChannel: BridgeChannelType = {
  type: "email-imap",
  start(channel, host) {
    const parsed = mailboxConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid email-imap config: ${describeZodError(parsed.error)}`);
    return new MailboxConnection(parsed.data, host);
  },
};
