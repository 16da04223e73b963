/**
 * E-mail for the shared channel tests: mail arrives through Email Routing, so /hooks only ever
 * refuses; nothing can be signed. The IMAP/SMTP variant is bridged (no webhook); its servers,
 * ports and passwords matter for the redirect rule.
 */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";

const profile: ChannelTestProfile = {
  type: "email",
  samples: [],
  prepare: async () => ({ config: { address: `agent-${crypto.randomUUID().slice(0, 8)}@example.net` } }),
};

const mailbox: ChannelTestProfile = {
  type: "email-imap",
  samples: [],
  prepare: async () => ({
    config: {
      bridgeId: TEST_BRIDGE_ID,
      address: "agent@example.net",
      imapHost: "imap.unreachable",
      imapPort: 993,
      imapUser: "agent@example.net",
      imapPassword: `imap-password-${crypto.randomUUID()}`,
      smtpHost: "smtp.unreachable",
      smtpPort: 465,
      smtpSecurity: "tls",
      smtpPassword: `smtp-password-${crypto.randomUUID()}`,
    },
  }),
};

export default [profile, mailbox];
