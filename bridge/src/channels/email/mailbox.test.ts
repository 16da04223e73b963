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
