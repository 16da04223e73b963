/**
 * The e-mail channel end to end: `npm start` as a process, mail delivered through wrangler's
 * local Email Routing endpoint (/cdn-cgi/handler/email), and the reply read back from the
 * .eml file wrangler writes for the send_email binding.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../test/support/gateway-process";

const PORT = 8760;
const ADDRESS = "mary@example.net";
const SENDER = "jdoe@machine.example";
const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name));
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("e-mail channel against npm start", () => {
  let gw: GatewayProcess;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    gw = await startGateway({ port: PORT });
    api = (await setupAdmin(gw)).api;
    const created = await api("POST", "/api/channels", { type: "email", name: "Mail", policy: "open", config: { address: ADDRESS, fromName: "Mary's agent" } });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await gw?.stop();
    if (gw) removeState(gw.stateDir);
  });

  const deliver = (eml: Buffer, from = SENDER, to = ADDRESS) =>
    fetch(`${gw.url}/cdn-cgi/handler/email?${new URLSearchParams({ from, to })}`, { method: "POST", body: new Uint8Array(eml) });
  /** Paths of the messages the send_email binding wrote, in order. */
  const sentFiles = () => [...plain(gw.output()).matchAll(/send_email binding called with the following message:\s*\n\s*Email: (\S+\.eml)/g)].map((m) => m[1]!);

  it("answers a mail with a threaded reply written by send_email, and ignores the redelivery", async () => {
    const res = await deliver(fixture("reply-with-history.eml"));
    expect(res.status).toBe(200);
    await waitFor(async () => sentFiles().length === 1, 30_000, "the reply .eml");
    expect((await deliver(fixture("reply-with-history.eml"))).status).toBe(200);

    const reply = await PostalMime.parse(readFileSync(sentFiles()[0]!));
    expect(reply.from).toEqual({ address: ADDRESS, name: "Mary's agent" });
    expect(reply.to).toEqual([{ address: SENDER, name: "" }]);
    expect(reply.subject).toBe("Re: Saying Hello");
    expect(reply.inReplyTo).toBe("<5678@local.machine.example>");
    expect(reply.references).toBe("<1234@local.machine.example> <3456@example.net> <5678@local.machine.example>");
    expect(reply.headers.find((h) => h.key === "auto-submitted")?.value).toBe("auto-replied");
    // The agent saw only the new text: no signature, no quoted history.
    expect(reply.text).toContain("You said: Thanks Mary, one more question: what is the capital of Australia?");
    expect(reply.text).not.toContain("Machine Example Inc.");
    expect(reply.text).not.toContain("reply to your hello");

    // A fresh mail from the same sender, answered: the redelivery is settled (see
    // test/support/after-control.ts), so exactly one more reply means it was not answered.
    const control = fixture("hello.eml").toString().replace("<1234@local.machine.example>", `<${crypto.randomUUID()}@local.machine.example>`);
    expect((await deliver(Buffer.from(control))).status).toBe(200);
    await waitFor(async () => sentFiles().length >= 2, 30_000, "the control reply");
    expect(sentFiles()).toHaveLength(2);
  });

  it("rejects at SMTP time what must not be answered: DMARC failure, auto-reply, unknown mailbox", async () => {
    const forged = await deliver(fixture("forged-dmarc-fail.eml"));
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain("5.7.1 DMARC check failed");
    // wrangler's endpoint needs a MAIL FROM; the Auto-Submitted header and empty Return-Path are what count.
    const auto = await deliver(fixture("auto-reply.eml"));
    expect(auto.status).toBe(400);
    expect(await auto.text()).toContain("automatic messages are not accepted");
    const unknown = await deliver(fixture("hello.eml"), SENDER, "nobody@example.net");
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("5.1.1 mailbox unavailable");

    // Only the first test's messages (its mail and its control mail) were ever stored.
    const messages = await api<{ messages: { direction: string; platformMessageId: string | null }[] }>("GET", "/api/messages?limit=50");
    const stored = messages.body.messages.filter((m) => m.direction === "in").map((m) => m.platformMessageId);
    expect(stored).toHaveLength(2);
    expect(stored).toContain("<5678@local.machine.example>");
    expect(stored.filter((id) => id !== "<5678@local.machine.example>")).toEqual([expect.stringMatching(/^<[0-9a-f-]{36}@local\.machine\.example>$/)]);
  });
});
