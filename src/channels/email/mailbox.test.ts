import { describe, expect, it } from "vitest";
import { attachmentsForAgent, MAX_INLINE_ATTACHMENT_CHARS } from "./attachments";
import { aligned, checkAuthentication } from "./auth";
import { htmlToText } from "./html";
import { readInboundEmail } from "./inbound";
import { mailboxConfigSchema } from "./mailbox";

const AUTHSERV = "mx.example.net";
const ar = (value: string) => ({ key: "authentication-results", value });
const FROM = "ann@example.org";

describe("aligned sender authentication (fail closed)", () => {
  it("accepts DMARC pass for the From domain, and aligned DKIM or SPF passes", () => {
    expect(checkAuthentication([ar(`${AUTHSERV}; dmarc=pass (p=reject) header.from=example.org`)], AUTHSERV, FROM).ok).toBe(true);
    expect(checkAuthentication([ar(`${AUTHSERV}; dkim=pass header.d=example.org header.s=s1; spf=fail`)], AUTHSERV, FROM).ok).toBe(true);
    expect(checkAuthentication([ar(`${AUTHSERV}; spf=pass smtp.mailfrom=bounces@mail.example.org`)], AUTHSERV, "ann@mail.example.org").ok).toBe(true);
  });
  it("refuses a pass for someone else's domain: the From header could name anyone", () => {
    const verdict = checkAuthentication([ar(`${AUTHSERV}; dkim=pass header.d=attacker.example; spf=pass smtp.mailfrom=x@attacker.example`)], AUTHSERV, FROM);
    expect(verdict).toMatchObject({ ok: false, reason: "no DMARC pass, and no DKIM or SPF pass aligned with example.org" });
    expect(checkAuthentication([ar(`${AUTHSERV}; dmarc=pass header.from=attacker.example`)], AUTHSERV, FROM).ok).toBe(false);
  });
  it("fails closed without the trusted server's header, and reads only its topmost one", () => {
    expect(checkAuthentication([ar("evil.example; dmarc=pass header.from=example.org")], AUTHSERV, FROM).ok).toBe(false);
    // The sender's forged header sits below the server's own.
    const headers = [ar(`${AUTHSERV}; dmarc=fail header.from=example.org`), ar(`${AUTHSERV}; dmarc=pass header.from=example.org`)];
    expect(checkAuthentication(headers, AUTHSERV, FROM)).toMatchObject({ ok: false, reason: "DMARC check failed" });
  });
  it("aligns subdomains to their organisational domain, never to a bare TLD", () => {
    expect(aligned("example.org", "mail.example.org")).toBe(true);
    expect(aligned("org", "example.org")).toBe(false);
    expect(aligned("ample.org", "example.org")).toBe(false);
  });
});

describe("HTML mail as text", () => {
  it("keeps the words and line structure, drops markup, styles and entities", () => {
    const html =
      "<html><head><style>p{color:red}</style></head><body><p>Hello&nbsp;<b>there</b> &amp; welcome</p><ul><li>one</li><li>two</li></ul>Line<br>break</body></html>";
    expect(htmlToText(html)).toBe("Hello there & welcome\n\n* one\n* two\n\nLine\nbreak");
  });
  it("decodes HTML 4's named references, numeric ones, and leaves unknown names as written", () => {
    const html = "<p>Caf&eacute; &rarr; 5&euro; &mdash; &ldquo;fine&rdquo; &AMP; &Eacute;t&eacute; &frac12; &#x1F600; &#233; &Afr; &bogus;</p>";
    expect(htmlToText(html)).toBe("Café → 5€ — “fine” & Été ½ 😀 é &Afr; &bogus;");
  });
  it("turns blockquoted history into quote lines, which are then stripped", async () => {
    const raw = [
      "From: ann@example.org",
      "To: bot@example.net",
      "Subject: Re: plan",
      "Message-ID: <h1@example.org>",
      "Content-Type: text/html; charset=utf-8",
      "",
      '<div>Yes, Friday works.</div><div class="gmail_quote"><blockquote>Shall we meet on Friday?<br>Bot</blockquote></div>',
    ].join("\r\n");
    const read = await readInboundEmail(raw, { from: "ann@example.org", to: "bot@example.net" }, undefined, { inlineTextAttachments: true });
    expect(read).toMatchObject({ kind: "message", message: { text: "Yes, Friday works." } });
  });
});

describe("attachments for the agent", () => {
  const file = (filename: string | null, mimeType: string, content: string, related = false) => ({
    filename,
    mimeType,
    disposition: "attachment",
    related,
    content: new TextEncoder().encode(content),
  });
  it("inlines text files, names the rest, skips pictures the HTML shows inline", () => {
    const out = attachmentsForAgent([
      file("notes.txt", "text/plain", "Budget moved."),
      file("report.pdf", "application/pdf", "%PDF-1.7"),
      file("photo.jpg", "image/jpeg", "\xff\xd8"),
      file(null, "image/png", "logo", true),
    ]);
    expect(out.blocks).toEqual(["[attachment notes.txt (text/plain)]\nBudget moved.", "[attachment not shown: report.pdf (application/pdf)]"]);
    expect(out.described).toEqual([
      { type: "application/pdf", name: "report.pdf", size: 8 },
      // "\xff\xd8" as UTF-8: four bytes.
      { type: "image/jpeg", name: "photo.jpg", size: 4 },
    ]);
  });
  it("cuts a long text file and names binary data that claims to be text", () => {
    const out = attachmentsForAgent([file("big.csv", "text/csv", "x".repeat(MAX_INLINE_ATTACHMENT_CHARS + 5))]);
    expect(out.blocks[0]).toContain("[... cut: 5 more characters]");
    const binary = attachmentsForAgent([{ ...file("a.txt", "text/plain", ""), content: new Uint8Array([0xff, 0xfe, 0xfd]) }]);
    expect(binary.blocks).toEqual(["[attachment not shown: a.txt (text/plain)]"]);
  });
});

describe("email-imap config", () => {
  const base = {
    bridgeId: "brg_abc",
    address: "Bot@Example.net",
    imapHost: "imap.example.net",
    imapUser: "bot@example.net",
    imapPassword: "app-password",
    smtpHost: "smtp.example.net",
  };
  it("defaults to TLS for IMAP and STARTTLS for SMTP", () => {
    expect(mailboxConfigSchema.parse(base)).toMatchObject({ address: "bot@example.net", imapSecurity: "tls", smtpSecurity: "starttls", mailbox: "INBOX" });
  });
  it("allows a password in clear only to a server on this machine", () => {
    expect(mailboxConfigSchema.safeParse({ ...base, imapSecurity: "none" }).success).toBe(false);
    expect(mailboxConfigSchema.safeParse({ ...base, smtpSecurity: "none" }).success).toBe(false);
    expect(mailboxConfigSchema.safeParse({ ...base, imapHost: "127.0.0.1", imapSecurity: "none", smtpHost: "localhost", smtpSecurity: "none" }).success).toBe(
      true,
    );
  });
});
