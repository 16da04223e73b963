/// <reference types="vite/client" />
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../../workers";
import autoReply from "./fixtures/auto-reply.eml?raw";
import forged from "./fixtures/forged-dmarc-fail.eml?raw";
import hello from "./fixtures/hello.eml?raw";
import replyWithHistory from "./fixtures/reply-with-history.eml?raw";
import photoAndPdf from "./fixtures/photo-and-pdf.eml?raw";
import { adminToken, call, eventually } from "../../../test/worker/helpers";

let token: string;
beforeAll(async () => {
  token = await adminToken();
});

interface Delivered {
  rejected?: string;
}

/** Delivers a message to the Worker's `email` handler the way Email Routing does. */
async function deliver(raw: string, from: string, to: string): Promise<Delivered> {
  const bytes = new TextEncoder().encode(raw);
  const outcome: Delivered = {};
  const message = {
    from,
    to,
    raw: new Response(bytes).body!,
    rawSize: bytes.byteLength,
    headers: new Headers(),
    canBeForwarded: true,
    setReject: (reason: string) => void (outcome.rejected = reason),
    forward: () => Promise.reject(new Error("not used")),
    reply: () => Promise.reject(new Error("replies go through send_email")),
  } as unknown as ForwardableEmailMessage;
  await worker.email(message, env);
  return outcome;
}

/** A fresh e-mail channel; each test gets its own address so tests never share senders. */
async function emailChannel(extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  const address = `agent-${crypto.randomUUID().slice(0, 8)}@example.net`;
  const res = await call<{ channel: { id: string; config: Record<string, unknown> } }>(
    "POST",
    "/api/channels",
    { type: "email", name: `mail ${address}`, config: { address: address.toUpperCase(), ...config }, ...extra },
    token,
  );
  expect(res.status).toBe(201);
  return { id: res.body.channel.id, address, config: res.body.channel.config };
}

type MessageRow = { direction: string; text: string; outcome: string; platformMessageId?: string };
const messagesOf = async (channelId: string) =>
  (await call<{ messages: MessageRow[] }>("GET", `/api/messages?channelId=${channelId}&limit=50`, undefined, token)).body.messages;
const runsOf = async (channelId: string) =>
  (
    await call<{ runs: { status: string; deliveryStatus: string; deliveryError: string | null }[] }>(
      "GET",
      `/api/runs?channelId=${channelId}`,
      undefined,
      token,
    )
  ).body.runs;
const to = (raw: string, address: string) => raw.replaceAll("mary@example.net", address);

/**
 * Delivers one more, fresh message from the same sender and waits until it is answered. Each
 * sender's mail is handled in arrival order, so what came before it is settled by then: a
 * negative check after this is final (see test/support/after-control.ts).
 */
async function settled(ch: { id: string; address: string }) {
  const before = (await runsOf(ch.id)).length;
  const control = to(hello, ch.address).replace("<1234@local.machine.example>", `<${crypto.randomUUID()}@local.machine.example>`);
  await deliver(control, "jdoe@machine.example", ch.address);
  await eventually(async () => {
    const runs = await runsOf(ch.id);
    return runs.length === before + 1 && runs.every((r) => r.deliveryStatus === "sent");
  });
}

describe("e-mail channel through the Worker's email handler", () => {
  it("stores the address lowercased and has no HTTP inbound", async () => {
    const ch = await emailChannel();
    expect(ch.config).toMatchObject({ address: ch.address, authFailure: "reject", unanswerable: "reject", trustedAuthServId: "mx.cloudflare.net" });
    const res = await call("POST", `/hooks/${ch.id}`, "{}");
    expect(res.status).toBe(400);
  });

  it("answers a message: stripped text reaches the agent, the threaded reply is delivered via send_email", async () => {
    const ch = await emailChannel({ policy: "open" });
    // Nothing is routed here until the Email Routing rule exists: the status waits for the first mail.
    const statusOf = async () => (await call<{ channel: { status: string } }>("GET", `/api/channels/${ch.id}`, undefined, token)).body.channel.status;
    expect(await statusOf()).toBe("awaiting_event");
    expect(await deliver(to(replyWithHistory, ch.address), "jdoe@machine.example", ch.address)).toEqual({});
    expect(await statusOf()).toBe("ok");
    const runs = await eventually(async () => {
      const r = await runsOf(ch.id);
      return r[0]?.deliveryStatus === "sent" && r;
    });
    expect(runs[0]).toMatchObject({ status: "ok", deliveryStatus: "sent", deliveryError: null });
    const msgs = await messagesOf(ch.id);
    const inbound = msgs.find((m) => m.direction === "in")!;
    expect(inbound.text).toBe("Thanks Mary, one more question: what is the capital of Australia?");
    expect(msgs.find((m) => m.direction === "out")?.text).toContain("what is the capital of Australia?");
  });

  it("dedupes a redelivered message by its Message-ID", async () => {
    const ch = await emailChannel({ policy: "open" });
    await deliver(to(hello, ch.address), "jdoe@machine.example", ch.address);
    await deliver(to(hello, ch.address), "jdoe@machine.example", ch.address);
    await eventually(async () => (await runsOf(ch.id))[0]?.deliveryStatus === "sent");
    await settled(ch);
    // The message once, and the control message.
    expect((await messagesOf(ch.id)).filter((m) => m.direction === "in")).toHaveLength(2);
    expect(await runsOf(ch.id)).toHaveLength(2);
  });

  it("rejects mail for an address no channel has, at SMTP time", async () => {
    expect(await deliver(hello, "jdoe@machine.example", "nobody-here@example.net")).toEqual({ rejected: "5.1.1 mailbox unavailable" });
  });

  it("rejects a DMARC failure by default, and stores nothing", async () => {
    const ch = await emailChannel({ policy: "open" });
    expect(await deliver(to(forged, ch.address), "jdoe@machine.example", ch.address)).toEqual({ rejected: "5.7.1 DMARC check failed" });
    await settled(ch);
    expect((await messagesOf(ch.id)).map((m) => m.direction)).toEqual(expect.arrayContaining(["in", "out"]));
    expect(await messagesOf(ch.id)).toHaveLength(2); // the control message and its reply only
  });

  it("drops (accepts, audits, never answers) auto-replies when configured to drop", async () => {
    const ch = await emailChannel({ policy: "open" }, { unanswerable: "drop" });
    expect(await deliver(to(autoReply, ch.address), "", ch.address)).toEqual({});
    const events = await call<{ events: { kind: string; detail: Record<string, unknown> }[] }>("GET", `/api/events?channelId=${ch.id}`, undefined, token);
    expect(events.status).toBe(200);
    // The channel's own history also holds the admin's creating it; the mail left one event.
    expect(events.body.events.filter((e) => e.kind !== "admin.action")).toEqual([
      expect.objectContaining({ kind: "message.dropped", detail: expect.objectContaining({ reason: "Auto-Submitted: auto-replied" }) }),
    ]);
    expect(await messagesOf(ch.id)).toEqual([]);
  });

  it("applies the channel's policy to the sender address: allowlist refuses strangers at SMTP time", async () => {
    const ch = await emailChannel({ policy: "allowlist", allowlist: ["someone-else@example.org"] });
    expect(await deliver(to(hello, ch.address), "jdoe@machine.example", ch.address)).toEqual({ rejected: "5.7.1 sender not accepted by this address" });
    const paired = await emailChannel({ policy: "allowlist", allowlist: ["jdoe@machine.example"] });
    expect(await deliver(to(hello, paired.address), "jdoe@machine.example", paired.address)).toEqual({});
    await eventually(async () => (await runsOf(paired.id))[0]?.deliveryStatus === "sent");
  });

  it("stages the readable attachments in R2 before acknowledging, keyed under the channel and message; the zip is only named", async () => {
    const ch = await emailChannel({ policy: "open" });
    expect(await deliver(to(photoAndPdf, ch.address), "jdoe@machine.example", ch.address)).toEqual({});
    // Staged before the handler returned: the turn (here the offline echo model) may run any time after.
    const listed = await env.MEDIA.list({ prefix: `email-in/${ch.id}/` });
    expect(listed.objects.map((o) => [o.key.replace(/[0-9a-f]{64}/, "<hash>"), o.size])).toEqual([
      [`email-in/${ch.id}/<hash>/0`, 790],
      [`email-in/${ch.id}/<hash>/1`, 591],
    ]);
    const photo = await env.MEDIA.get(listed.objects[0]!.key);
    expect(photo?.httpMetadata?.contentType).toBe("image/jpeg");
    expect(new Uint8Array(await photo!.arrayBuffer()).subarray(0, 3)).toEqual(new Uint8Array([0xff, 0xd8, 0xff]));
    const reply = await eventually(async () => (await messagesOf(ch.id)).find((m) => m.direction === "out"));
    expect(reply.text).toContain("Here is the invoice and a photo of the meter.");
  });

  it("stages nothing for a sender the policy drops", async () => {
    const ch = await emailChannel({ policy: "allowlist", allowlist: ["someone-else@example.org"] }, { unanswerable: "drop" });
    expect(await deliver(to(photoAndPdf, ch.address), "jdoe@machine.example", ch.address)).toEqual({});
    await eventually(async () => (await messagesOf(ch.id)).some((m) => m.outcome === "not_allowed"));
    expect((await env.MEDIA.list({ prefix: `email-in/${ch.id}/` })).objects).toEqual([]);
  });
});
