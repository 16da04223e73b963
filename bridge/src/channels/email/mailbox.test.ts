import { describe, expect, it } from "vitest";
import { mailboxConfigSchema } from "../../../../src/channels/email/mailbox";
import { readMailboxMessage } from "./read-message";
import { smtpDeliveryOutcome } from "./smtp";

const config = mailboxConfigSchema.parse({
  bridgeId: "brg_abc",
  address: "bot@example.net",
  imapHost: "imap.example.net",
  imapUser: "bot@example.net",
  imapPassword: "pw",
  smtpHost: "smtp.example.net",
});

const message = (...head: string[]) =>
  Buffer.from([...head, "From: Ann <ann@example.org>", "To: bot@example.net", "Subject: Hi", "Message-ID: <m1@example.org>", "", "Hello there"].join("\r\n"));

describe("a mailbox message as an inbound message", () => {
  it("reads sender, Message-ID and the threading context", async () => {
    expect(await readMailboxMessage(message("Return-Path: <ann@example.org>"), config)).toEqual({
      kind: "message",
      message: {
        senderId: "ann@example.org",
        senderName: "Ann",
        platformMessageId: "<m1@example.org>",
        text: "Hello there",
        replyContext: { subject: "Hi", messageId: "<m1@example.org>", references: "<m1@example.org>", channelAddress: "bot@example.net" },
      },
      files: [],
    });
  });
  it("leaves bounces (empty Return-Path) unanswered; a message without Return-Path is not one", async () => {
    expect(await readMailboxMessage(message("Return-Path: <>"), config)).toMatchObject({ kind: "skipped", reason: "bounce (empty return path)" });
    expect(await readMailboxMessage(message(), config)).toMatchObject({ kind: "message" });
  });
  it("checks the sender with the configured server's verdict, failing closed", async () => {
    const strict = { ...config, trustedAuthServId: "mx.example.net" };
    expect(await readMailboxMessage(message(), strict)).toMatchObject({
      kind: "skipped",
      reason: expect.stringContaining("no authentication results from mx.example.net"),
    });
    expect(await readMailboxMessage(message("Authentication-Results: mx.example.net; dmarc=pass header.from=example.org"), strict)).toMatchObject({
      kind: "message",
    });
  });
});

describe("a mailbox message's attachments", () => {
  const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
  const PDF = Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
  const ZIP = Buffer.from("504b0304140000000000", "hex");
  const part = (type: string, name: string, bytes: Buffer) =>
    [
      `--b1`,
      `Content-Type: ${type}; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      "Content-Transfer-Encoding: base64",
      "",
      bytes.toString("base64"),
    ].join("\r\n");
  const mail = Buffer.from(
    [
      "Return-Path: <ann@example.org>",
      "From: Ann <ann@example.org>",
      "To: bot@example.net",
      "Subject: Files",
      "Message-ID: <files@example.org>",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "What is in these?",
      part("image/png", "plan.png", PNG),
      part("application/pdf", "report.pdf", PDF),
      part("text/csv", "totals.csv", Buffer.from("month,total\nJuly,12\n")),
      part("application/zip", "all.zip", ZIP),
      "--b1--",
      "",
    ].join("\r\n"),
  );

  it("hands pictures and PDFs to the gateway with their bytes, inlines text, names the rest", async () => {
    const read = await readMailboxMessage(mail, config);
    if (read.kind !== "message") throw new Error(read.reason);
    expect(read.message.attachments).toEqual([
      { type: "image/png", name: "plan.png", size: PNG.length },
      { type: "application/pdf", name: "report.pdf", size: PDF.length },
      { type: "application/zip", name: "all.zip", size: ZIP.length },
    ]);
    expect(read.files.map((f) => [f.index, Buffer.from(f.bytes).equals(f.index === 0 ? PNG : PDF)])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(read.message.text).toContain("[attachment totals.csv (text/csv)]\nmonth,total\nJuly,12");
    expect(read.message.text).toContain("[attachment not shown: all.zip (application/zip)]");
    expect(read.message.text).not.toContain("not shown: report.pdf");
  });

  it("does not hand over a file over the limits: it is described with its size, and the gateway refuses it", async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 1);
    const raw = Buffer.from(mail.toString("latin1").replace(PNG.toString("base64"), Buffer.concat([PNG, big]).toString("base64")), "latin1");
    const read = await readMailboxMessage(raw, config);
    if (read.kind !== "message") throw new Error(read.reason);
    expect(read.message.attachments?.[0]).toEqual({ type: "image/png", name: "plan.png", size: PNG.length + big.length });
    expect(read.files.map((f) => f.index)).toEqual([1]);
  });
});

describe("SMTP errors as delivery outcomes", () => {
  it("retries 4xx and network failures, gives up on 5xx and refused logins", () => {
    expect(smtpDeliveryOutcome({ responseCode: 451, response: "451 4.3.0 try later" })).toMatchObject({ ok: false, retryable: true });
    expect(smtpDeliveryOutcome({ responseCode: 550, response: "550 5.1.1 no such user" })).toMatchObject({
      ok: false,
      retryable: false,
      error: "SMTP 550: 550 5.1.1 no such user",
    });
    expect(smtpDeliveryOutcome({ code: "EAUTH", message: "Invalid login" })).toMatchObject({ ok: false, retryable: false });
    expect(smtpDeliveryOutcome({ code: "ECONNECTION", message: "connect ECONNREFUSED" })).toMatchObject({ ok: false, retryable: true });
  });
});
