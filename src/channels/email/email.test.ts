import { readFileSync } from "node:fs";
import { join } from "node:path";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { emailAdapter, type EmailConfig } from ".";
import { checkAuthentication } from "./auth";
import { readInboundEmail } from "./inbound";
import { buildReply, replySubject } from "./reply";
import { stripQuotedText } from "./text";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const envelope = { from: "jdoe@machine.example", to: "mary@example.net" };
const TRUSTED = "mx.cloudflare.net";
const headers = (...lines: [string, string][]) => lines.map(([key, value]) => ({ key, value }));
/** Results headers of a message from ceo@a.example, as postal-mime lists them (top to bottom). */
const fromA = (...lines: [string, string][]) => [...headers(...lines), { key: "from", value: "The CEO <ceo@a.example>" }];

describe("quoted history and signatures", () => {
  it("keeps only the new text of a reply (RFC 3676 signature, wrapped 'On ... wrote:', quotes)", () => {
    const body = "Thanks!\nWhat is next?\n\n-- \nJohn\n\nOn Fri, 21 Nov 1997 at 10:01, Mary <mary@example.net>\nwrote:\n> earlier";
    expect(stripQuotedText(body)).toBe("Thanks!\nWhat is next?");
  });
  it("cuts Outlook's header block and '-----Original Message-----'", () => {
    expect(stripQuotedText("Yes please.\r\n\r\nFrom: Mary Smith\r\nSent: Friday\r\nTo: John\r\nSubject: x\r\n\r\nold")).toBe("Yes please.");
    expect(stripQuotedText("Agreed.\n-----Original Message-----\nFrom: a\nold text")).toBe("Agreed.");
  });
  it("cuts mobile footers and one-line 'wrote:' headers in other languages", () => {
    expect(stripQuotedText("Ok\n\nSent from my iPhone")).toBe("Ok");
    expect(stripQuotedText("Danke\nAm 21.11.1997 um 10:01 schrieb Mary <mary@example.net>:\n> alt")).toBe("Danke");
  });
  it("drops inline quoted lines but keeps the answers between them", () => {
    expect(stripQuotedText("> Question one?\nAnswer one.\n> Question two?\nAnswer two.")).toBe("Answer one.\nAnswer two.");
  });
  it("leaves a message without history untouched", () => {
    expect(stripQuotedText("Line one\n\nLine two -- with a dash")).toBe("Line one\n\nLine two -- with a dash");
  });
});

describe("SPF / DKIM / DMARC results", () => {
  it("passes when the trusted server says DMARC passed", () => {
    expect(checkAuthentication(fromA(["authentication-results", "mx.cloudflare.net; dmarc=pass header.from=a.example; spf=fail"]), TRUSTED)).toMatchObject({
      ok: true,
      checked: true,
    });
  });
  it("fails on DMARC fail, and on SPF fail without a passing DKIM signature", () => {
    expect(checkAuthentication(fromA(["authentication-results", "mx.cloudflare.net; dmarc=fail; dkim=pass"]), TRUSTED)).toMatchObject({
      ok: false,
      reason: "DMARC check failed",
    });
    expect(checkAuthentication(fromA(["authentication-results", "mx.cloudflare.net; spf=fail smtp.mailfrom=a@b"]), TRUSTED)).toMatchObject({ ok: false });
    expect(checkAuthentication(fromA(["authentication-results", "mx.cloudflare.net; dkim=fail; spf=none"]), TRUSTED)).toMatchObject({ ok: false });
  });
  it("accepts a forwarded message: SPF broken, DKIM intact", () => {
    expect(checkAuthentication(fromA(["authentication-results", "mx.cloudflare.net; spf=fail; dkim=pass header.d=a.example"]), TRUSTED)).toMatchObject({
      ok: true,
      checked: true,
    });
  });
  it("trusts only the receiving server's topmost header, never one the sender added below it", () => {
    const verdict = checkAuthentication(
      fromA(["authentication-results", "mx.cloudflare.net; dmarc=fail"], ["authentication-results", "mx.cloudflare.net; dmarc=pass"]),
      TRUSTED,
    );
    expect(verdict.ok).toBe(false);
    expect(checkAuthentication(fromA(["authentication-results", "evil.example; dmarc=fail"]), TRUSTED)).toMatchObject({ ok: false });
  });
  it("falls back to the topmost ARC-Authentication-Results, ignoring comments", () => {
    const verdict = checkAuthentication(
      fromA(
        ["arc-authentication-results", "i=2; mx.cloudflare.net; dmarc=fail (p=reject; dis=none)"],
        ["arc-authentication-results", "i=1; mx.cloudflare.net; dmarc=pass"],
      ),
      TRUSTED,
    );
    expect(verdict).toMatchObject({ ok: false, reason: "DMARC check failed" });
  });
  it("ignores a sender-supplied ARC result further down, whatever instance number it claims", () => {
    const verdict = checkAuthentication(
      fromA(
        ["arc-authentication-results", "i=1; mx.cloudflare.net; dmarc=fail header.from=a.example"],
        ["arc-authentication-results", "i=9; mx.cloudflare.net; dmarc=pass header.from=a.example"],
      ),
      TRUSTED,
    );
    expect(verdict).toMatchObject({ ok: false, reason: "DMARC check failed" });
  });
  it("ignores a forged trusted header below another server's results", () => {
    const verdict = checkAuthentication(
      fromA(["authentication-results", "mx.other.example; dmarc=fail"], ["authentication-results", "mx.cloudflare.net; dmarc=pass header.from=a.example"]),
      TRUSTED,
    );
    expect(verdict.ok).toBe(false);
  });
  it("fails closed when the receiving server recorded nothing", () => {
    expect(checkAuthentication(fromA(), TRUSTED)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^no authentication results from mx.cloudflare.net/),
    });
  });
  it("requires the passing domain to be aligned with From", () => {
    const forged = "mx.cloudflare.net; dkim=pass header.d=attacker.example; spf=pass smtp.mailfrom=bounce@attacker.example";
    expect(checkAuthentication(fromA(["authentication-results", forged]), TRUSTED)).toMatchObject({
      ok: false,
      reason: "no DMARC pass, and no DKIM or SPF pass aligned with a.example",
    });
    expect(checkAuthentication(fromA(["authentication-results", "mx.cloudflare.net; dmarc=pass header.from=attacker.example"]), TRUSTED).ok).toBe(false);
    expect(checkAuthentication(fromA(["authentication-results", "mx.cloudflare.net; dkim=pass header.d=mail.a.example"]), TRUSTED).ok).toBe(true);
    expect(checkAuthentication(fromA(["authentication-results", "mx.cloudflare.net; spf=pass smtp.mailfrom=bounces@a.example"]), TRUSTED).ok).toBe(true);
    // The address the gateway keys the sender on decides, when the caller gives it.
    expect(checkAuthentication(headers(["authentication-results", "mx.cloudflare.net; dkim=pass header.d=a.example"]), TRUSTED, "ceo@a.example").ok).toBe(true);
    expect(checkAuthentication(headers(["authentication-results", "mx.cloudflare.net; dkim=pass header.d=a.example"]), TRUSTED).ok).toBe(false);
  });
});

describe("reading an inbound e-mail", () => {
  it("normalises RFC 5322's example message: sender address as id, Message-ID as platform id", async () => {
    const result = await readInboundEmail(fixture("hello.eml"), envelope, TRUSTED);
    expect(result).toEqual({
      kind: "message",
      authChecked: true,
      parts: [],
      inlinedBytes: [],
      message: {
        senderId: "jdoe@machine.example",
        senderName: "John Doe",
        platformMessageId: "<1234@local.machine.example>",
        text: 'This is a message just to say hello.\nSo, "Hello".',
        attachments: undefined,
        replyContext: {
          subject: "Saying Hello",
          messageId: "<1234@local.machine.example>",
          references: "<1234@local.machine.example>",
          channelAddress: "mary@example.net",
        },
      },
    });
  });
  it("strips history and signature and extends the thread's References", async () => {
    const result = await readInboundEmail(fixture("reply-with-history.eml"), envelope, TRUSTED);
    if (result.kind !== "message") throw new Error(result.kind);
    expect(result.message.text).toBe("Thanks Mary, one more question: what is the capital of Australia?");
    expect(result.message.replyContext?.references).toBe("<1234@local.machine.example> <3456@example.net> <5678@local.machine.example>");
  });
  it("refuses a DMARC failure even when a forged passing header follows", async () => {
    expect(await readInboundEmail(fixture("forged-dmarc-fail.eml"), envelope, TRUSTED)).toEqual({
      kind: "auth-failed",
      reason: "DMARC check failed",
      senderId: "jdoe@machine.example",
    });
  });
  it("never answers auto-replies, bounces or list mail", async () => {
    expect(await readInboundEmail(fixture("auto-reply.eml"), envelope, TRUSTED)).toMatchObject({
      kind: "unanswerable",
      reason: "Auto-Submitted: auto-replied",
    });
    expect(await readInboundEmail(fixture("mailing-list.eml"), envelope, TRUSTED)).toMatchObject({ kind: "unanswerable", reason: "Precedence: list" });
    const bounce = fixture("hello.eml").replace("Subject:", "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\nSubject:");
    expect(await readInboundEmail(bounce, { ...envelope, from: "" }, TRUSTED)).toMatchObject({ kind: "unanswerable", reason: "bounce (empty return path)" });
  });
  it("uses the subject when the body is empty, and a content hash when there is no Message-ID", async () => {
    const raw =
      "Authentication-Results: mx.cloudflare.net; dkim=pass header.d=b.example\r\nFrom: a@b.example\r\nTo: mary@example.net\r\nSubject: What time is it in Tokyo?\r\n\r\n";
    const result = await readInboundEmail(raw, envelope, TRUSTED);
    if (result.kind !== "message") throw new Error(result.kind);
    expect(result.message.text).toBe("What time is it in Tokyo?");
    expect(result.message.platformMessageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.authChecked).toBe(true);
    expect(await readInboundEmail(raw.replace(/^Authentication-Results:[^\n]*\n/, ""), envelope, TRUSTED)).toMatchObject({ kind: "auth-failed" });
  });
});

describe("the reply", () => {
  it("threads under the original: In-Reply-To, References, one 'Re:', stable Message-ID", async () => {
    const raw = buildReply({
      from: "mary@example.net",
      fromName: "Mary's agent",
      to: "jdoe@machine.example",
      subject: "RE: Re: Saying Hello",
      inReplyTo: "<5678@local.machine.example>",
      references: "<1234@local.machine.example> <5678@local.machine.example>",
      text: "Canberra. Ünïcode survives.",
      deliveryId: "msg_abc:0000",
    });
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe("Re: Saying Hello");
    expect(parsed.inReplyTo).toBe("<5678@local.machine.example>");
    expect(parsed.references).toBe("<1234@local.machine.example> <5678@local.machine.example>");
    expect(parsed.messageId).toBe("<msg_abc.0000@example.net>");
    expect(parsed.from).toEqual({ address: "mary@example.net", name: "Mary's agent" });
    expect(parsed.text?.trim()).toBe("Canberra. Ünïcode survives.");
    expect(parsed.headers.find((h) => h.key === "auto-submitted")?.value).toBe("auto-replied");
    expect(replySubject("")).toBe("Re: your message");
  });

  const config: EmailConfig = { address: "mary@example.net", authFailure: "reject", unanswerable: "reject", trustedAuthServId: TRUSTED };
  const ctx = { channelId: "ch_1", config, publicUrl: "", now: Date.UTC(2026, 0, 1), fetch };
  const outbound = {
    recipient: "jdoe@machine.example",
    text: "Canberra.",
    deliveryId: "msg_1:0000",
    replyContext: { subject: "Capital?", messageId: "<5678@local.machine.example>" },
  };

  it("sends through the injected send_email transport with the channel address as envelope sender", async () => {
    const sent: { envelope: { from: string; to: string }; raw: string }[] = [];
    const result = await emailAdapter.send(outbound, { ...ctx, sendEmail: async (envelope, raw) => void sent.push({ envelope, raw }) });
    expect(result).toEqual({ ok: true });
    expect(sent[0]!.envelope).toEqual({ from: "mary@example.net", to: "jdoe@machine.example" });
    expect(sent[0]!.raw).toContain("In-Reply-To: <5678@local.machine.example>");
  });
  it("maps transport failures: refused addresses are final, outages are retried", async () => {
    const failWith = (message: string) => ({ ...ctx, sendEmail: async () => Promise.reject(new Error(message)) });
    expect(await emailAdapter.send(outbound, failWith("email to jdoe@machine.example not allowed"))).toMatchObject({ ok: false, retryable: false });
    expect(await emailAdapter.send(outbound, failWith("internal error; reference = abc"))).toMatchObject({ ok: false, retryable: true });
    expect(await emailAdapter.send(outbound, ctx)).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("send_email") });
  });
});
