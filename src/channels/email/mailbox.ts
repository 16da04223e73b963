/**
 * E-mail for any mailbox (Gmail, Fastmail, a company server) through the bridge: the bridge
 * watches the mailbox over IMAP (IDLE, catch-up by UID after a gap) and sends threaded replies
 * over SMTP (bridge/src/channels/email/). This file is the config the admin API validates and
 * the bridge starts from; reading and replying reuse this folder's inbound.ts and reply.ts.
 */
import * as z from "zod";
import { bridgeIdField, createBridgedAdapter } from "../shared/bridged";
import { fromNameField } from "./from-name";

/** TLS from the first byte, STARTTLS upgrade, or none (only to this machine: see `loopbackOnly`). */
const security = z.enum(["tls", "starttls", "none"]);
export type MailSecurity = z.infer<typeof security>;

const host = z.string().trim().min(1).max(255);
const port = z.number().int().min(1).max(65535);

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

export const mailboxConfigSchema = z
  .object({
    bridgeId: bridgeIdField,
    address: z
      .email("address must be an e-mail address")
      .toLowerCase()
      .meta({ title: "Address" })
      .describe("The bot's address: what people write to, and the From of its replies, e.g. agent@example.com."),
    fromName: fromNameField,
    imapHost: host
      .meta({ title: "IMAP server" })
      .describe("Host name of the mailbox's IMAP server, e.g. imap.gmail.com or imap.fastmail.com (your provider's mail client settings)."),
    imapPort: port.optional().meta({ title: "IMAP port" }).describe("Optional: leave empty for 993 with TLS, 143 with STARTTLS or none."),
    imapSecurity: security
      .default("tls")
      .meta({ title: "IMAP encryption" })
      .describe(
        "tls: encrypted from the first byte (port 993); starttls: the connection must upgrade, never falls back to clear text (port 143); none: only for a server on this machine. Default tls.",
      ),
    imapUser: z.string().min(1).max(320).meta({ title: "IMAP user name" }).describe("The mailbox's login, usually its full address."),
    imapPassword: z
      .string()
      .min(1)
      .max(1000)
      .meta({ title: "IMAP password" })
      .describe(
        "That account's password, or an app password where the provider requires one (Gmail: Google account → Security → 2-Step Verification → App passwords; Fastmail: Settings → Privacy & Security → Manage app passwords).",
      ),
    mailbox: z
      .string()
      .min(1)
      .max(200)
      .default("INBOX")
      .meta({ title: "Folder" })
      .describe("The folder watched for new mail; every new message in it is read as a question. Default INBOX."),
    smtpHost: host
      .meta({ title: "SMTP server" })
      .describe("Host name of the provider's submission (outgoing mail) server, e.g. smtp.gmail.com or smtp.fastmail.com."),
    smtpPort: port.optional().meta({ title: "SMTP port" }).describe("Optional: leave empty for 465 with TLS, 587 with STARTTLS, 25 with none."),
    smtpSecurity: security
      .default("starttls")
      .meta({ title: "SMTP encryption" })
      .describe(
        "tls: encrypted from the first byte (port 465); starttls: the connection must upgrade, never falls back to clear text (port 587); none: only for a server on this machine. Default starttls.",
      ),
    smtpUser: z
      .string()
      .min(1)
      .max(320)
      .optional()
      .meta({ title: "SMTP user name" })
      .describe("Optional, for a provider with a separate submission login. Empty: the IMAP user name (most providers use one login for both)."),
    smtpPassword: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .meta({ title: "SMTP password" })
      .describe("Optional: the password of the SMTP user above (an app password where required). Empty: the IMAP password."),
    trustedAuthServId: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .max(255)
      .optional()
      .meta({ title: "Trusted authentication server" })
      .describe(
        "Recommended: the authserv-id your provider's receiving server writes at the start of the Authentication-Results header (open a received message's headers: mx.google.com for Gmail, mx.messagingengine.com for Fastmail). Set: only mail with a DMARC pass, or an aligned DKIM/SPF pass, from that server counts; the rest is dropped. Empty: the From address is believed as it is.",
      ),
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
  // Pictures, PDFs and voice files of the mail are handed over by the bridge (read-message.ts).
  bridgeMedia: true,
  setupSteps: [
    "Use a mailbox for the bot alone: every new message in the watched folder is read as a question (mail already there when the channel first starts is left alone).",
    "Gmail and Fastmail need an app password (Google account → Security → App passwords; Fastmail → Settings → Privacy & Security → App passwords) and IMAP enabled.",
    "Set trustedAuthServId to the authserv-id your provider writes in Authentication-Results (look at a received message's headers, e.g. mx.google.com), so a forged From is not believed; see docs/channels/email-imap.md.",
  ],
});
