/**
 * E-mail for any mailbox (Gmail, Fastmail, a company server) through the bridge: the bridge
 * watches the mailbox over IMAP (IDLE, catch-up by UID after a gap) and sends threaded replies
 * over SMTP (bridge/src/channels/email/). This file is the config the admin API validates and
 * the bridge starts from; reading and replying reuse this folder's inbound.ts and reply.ts.
 */
import { z } from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";

/** TLS from the first byte, STARTTLS upgrade, or none (only to this machine: see `loopbackOnly`). */
const security = z.enum(["tls", "starttls", "none"]);
export type MailSecurity = z.infer<typeof security>;

const host = z.string().trim().min(1).max(255);
const port = z.number().int().min(1).max(65535);

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

export const mailboxConfigSchema = z
  .object({
    bridgeId: bridgeIdField,
    /** The bot's address: what people write to, and the From of its replies. */
    address: z.email("address must be an e-mail address").toLowerCase(),
    /** Display name on replies. */
    fromName: z.string().trim().max(100).optional(),
    imapHost: host,
    /** Default 993 with tls, 143 otherwise. */
    imapPort: port.optional(),
    imapSecurity: security.default("tls"),
    imapUser: z.string().min(1).max(320),
    /** The account password, or an app password where the provider requires one (Gmail, Fastmail). */
    imapPassword: z.string().min(1).max(1000),
    /** The folder watched for new mail. */
    mailbox: z.string().min(1).max(200).default("INBOX"),
    smtpHost: host,
    /** Default 465 with tls, 587 with starttls, 25 with none. */
    smtpPort: port.optional(),
    smtpSecurity: security.default("starttls"),
    /** Default: the IMAP user and password (most providers use one login for both). */
    smtpUser: z.string().min(1).max(320).optional(),
    smtpPassword: z.string().min(1).max(1000).optional(),
    /**
     * The authserv-id the receiving server writes in Authentication-Results (e.g. mx.google.com).
     * Set: a message counts only with a DMARC pass or aligned DKIM/SPF pass in that server's
     * topmost header; everything else is dropped. Unset: the From address is taken as it is.
     */
    trustedAuthServId: z.string().trim().toLowerCase().min(1).max(255).optional(),
  })
  .refine((c) => (c.imapSecurity !== "none" || LOOPBACK.test(c.imapHost)) && (c.smtpSecurity !== "none" || LOOPBACK.test(c.smtpHost)), {
    // A password in clear over a network is readable by anyone on the path.
    error: 'imapSecurity/smtpSecurity "none" is allowed only for a server on this machine (localhost, 127.0.0.1, ::1)',
  });
export type MailboxConfig = z.infer<typeof mailboxConfigSchema>;

export function imapPortOf(c: MailboxConfig): number {
  return c.imapPort ?? (c.imapSecurity === "tls" ? 993 : 143);
}

export function smtpPortOf(c: MailboxConfig): number {
  return c.smtpPort ?? { tls: 465, starttls: 587, none: 25 }[c.smtpSecurity];
}

export const mailboxAdapter = createBridgedAdapter<MailboxConfig>({
  type: "email-imap",
  description: "E-mail for any mailbox over IMAP and SMTP (via the bridge): threaded replies, auto-replies and lists ignored",
  configSchema: mailboxConfigSchema as z.ZodType<MailboxConfig>,
  secretFields: ["imapPassword", "smtpPassword"],
  // Mail has no hard size limit this low; one long answer reads better than many short ones.
  maxMessageLength: 100_000,
  setupSteps: [
    "Use a mailbox for the bot alone: every new message in the watched folder is read as a question (mail already there when the channel first starts is left alone).",
    "Gmail and Fastmail need an app password (Google account → Security → App passwords; Fastmail → Settings → Privacy & Security → App passwords) and IMAP enabled.",
    "Set trustedAuthServId to the authserv-id your provider writes in Authentication-Results (look at a received message's headers, e.g. mx.google.com), so a forged From is not believed; see docs/channels/email-imap.md.",
  ],
});
