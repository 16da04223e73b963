import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminToken, call, createWebhookChannel, eventually, fakeCallbacks, message, signedPost } from "./helpers";

let token: string;
let callbacks: ReturnType<typeof fakeCallbacks>;
beforeAll(async () => {
  token = await adminToken();
});
afterEach(() => callbacks?.restore());

const texts = (recipient: string) => callbacks.captured.filter((c) => c.body.recipient === recipient).map((c) => c.body.text);
const CODE = /pairing code is ([2-9A-HJKMNP-Z]{6})/;

describe("pairing", () => {
  it("round trip: code to the sender, approval by the admin, answered afterwards", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token);
    await signedPost(ch.url, ch.secret, message("gina", "hi, who are you?"));
    const [notice] = await eventually(async () => texts("gina").length === 1 && texts("gina"));
    const code = CODE.exec(notice!)?.[1];
    expect(code, notice).toBeDefined();

    const pending = await call<{ pairings: { code: string; channelId: string; senderId: string; senderName: string }[] }>(
      "GET",
      "/api/pairings?status=pending",
      undefined,
      token,
    );
    expect(pending.body.pairings).toContainEqual(expect.objectContaining({ code, channelId: ch.id, senderId: "gina", senderName: "Name of gina" }));

    // A second message before approval shows the same code, not a new one.
    await signedPost(ch.url, ch.secret, message("gina", "hello?"));
    await eventually(async () => texts("gina").length === 2);
    expect(CODE.exec(texts("gina")[1]!)?.[1]).toBe(code);

    const approve = await call("POST", `/api/pairings/${code!.toLowerCase()}/approve`, undefined, token);
    expect(approve.status).toBe(200);
    await eventually(async () => texts("gina").length === 3);
    expect(texts("gina")[2]).toMatch(/You are paired/);
    expect((await call("POST", `/api/pairings/${code}/approve`, undefined, token)).status).toBe(409);

    await signedPost(ch.url, ch.secret, message("gina", "now answer me"));
    await eventually(async () => texts("gina").length === 4);
    expect(texts("gina")[3]).toContain("You said: now answer me");

    // Revoking puts the sender back behind pairing.
    const senders = await call<{ senders: { id: string; senderId: string }[] }>("GET", `/api/senders?channelId=${ch.id}`, undefined, token);
    const gina = senders.body.senders.find((s) => s.senderId === "gina")!;
    expect((await call("DELETE", `/api/senders/${gina.id}`, undefined, token)).status).toBe(200);
    await signedPost(ch.url, ch.secret, message("gina", "still there?"));
    await eventually(async () => texts("gina").length === 5);
    expect(texts("gina")[4]).toMatch(CODE);
  });

  it("rejecting tells the sender; unknown and malformed codes are clear errors", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token);
    await signedPost(ch.url, ch.secret, message("hank", "let me in"));
    const [notice] = await eventually(async () => texts("hank").length === 1 && texts("hank"));
    const code = CODE.exec(notice!)![1]!;
    expect((await call("POST", `/api/pairings/${code}/reject`, undefined, token)).status).toBe(200);
    await eventually(async () => texts("hank").length === 2);
    expect(texts("hank")[1]).toMatch(/declined/);
    expect((await call("POST", "/api/pairings/ZZZZZZ/approve", undefined, token)).status).toBe(404);
    const bad = await call<{ error: string }>("POST", "/api/pairings/0O1/approve", undefined, token);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/not a pairing code/);
  });

  it("an invite code sent as /pair CODE pairs at once, and only once", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token);
    const invite = await call<{ code: string }>("POST", "/api/pairings", { channelId: ch.id }, token);
    expect(invite.status).toBe(201);
    await signedPost(ch.url, ch.secret, message("ivy", `/pair ${invite.body.code}`));
    await eventually(async () => texts("ivy").length === 1);
    expect(texts("ivy")[0]).toMatch(/You are paired/);
    await signedPost(ch.url, ch.secret, message("jack", `/pair ${invite.body.code}`));
    await eventually(async () => texts("jack").length === 1);
    expect(texts("jack")[0]).toMatch(/did not work/);
  });

  it("locks a sender out after five wrong codes", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token);
    for (let i = 0; i < 6; i++) await signedPost(ch.url, ch.secret, message("kim", "/pair 23456A"));
    await eventually(async () => texts("kim").length === 6);
    expect(
      texts("kim")
        .slice(0, 4)
        .every((t) => /did not work/.test(t)),
    ).toBe(true);
    expect(texts("kim")[4]).toMatch(/Too many wrong pairing codes/);
    expect(texts("kim")[5]).toMatch(/Too many wrong pairing codes/);
  });

  it("limits wrong codes per channel too, so rotating sender names buys no extra guesses", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token);
    const invite = await call<{ code: string }>("POST", "/api/pairings", { channelId: ch.id }, token);
    // Twenty different "senders", one wrong guess each: every one under its own per-sender limit.
    for (let i = 0; i < 20; i++) await signedPost(ch.url, ch.secret, message(`nick${i}`, "/pair 23456A"));
    await eventually(async () => texts("nick19").length === 1);
    // The channel has had its share: even the right code is not looked at now.
    await signedPost(ch.url, ch.secret, message("nick20", `/pair ${invite.body.code}`));
    await eventually(async () => texts("nick20").length === 1);
    expect(texts("nick20")[0]).toMatch(/Too many wrong pairing codes/);
    const pending = await call<{ pairings: { code: string; status: string }[] }>("GET", "/api/pairings?status=pending", undefined, token);
    expect(pending.body.pairings.map((p) => p.code)).toContain(invite.body.code);
    // Other channels are unaffected.
    const other = await createWebhookChannel(token);
    const otherInvite = await call<{ code: string }>("POST", "/api/pairings", { channelId: other.id }, token);
    await signedPost(other.url, other.secret, message("olga", `/pair ${otherInvite.body.code}`));
    await eventually(async () => texts("olga").length === 1);
    expect(texts("olga")[0]).toMatch(/You are paired/);
  });

  it("binds an invite to a channel unless any channel is asked for; long-lived invites get longer codes", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token);
    const unbound = await call<{ error: string }>("POST", "/api/pairings", {}, token);
    expect(unbound.status).toBe(400);
    expect(unbound.body.error).toMatch(/channelId/);
    expect((await call("POST", "/api/pairings", { channelId: "ch_nope" }, token)).status).toBe(404);
    const short = await call<{ code: string }>("POST", "/api/pairings", { channelId: ch.id, ttlMinutes: 60 }, token);
    expect(short.body.code).toMatch(/^[2-9A-HJKMNP-Z]{6}$/);
    const long = await call<{ code: string }>("POST", "/api/pairings", { channelId: ch.id, ttlMinutes: 60 * 24 * 7 }, token);
    expect(long.body.code).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
    await signedPost(ch.url, ch.secret, message("pam", `/pair ${long.body.code.slice(0, 5)}-${long.body.code.slice(5)}`));
    await eventually(async () => texts("pam").length === 1);
    expect(texts("pam")[0]).toMatch(/You are paired/);
    const anywhere = await call<{ code: string }>("POST", "/api/pairings", { anyChannel: true }, token);
    expect(anywhere.status).toBe(201);
  });

  it("an expired invite does not pair, and an expired request cannot be approved", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token);
    const invite = await call<{ code: string }>("POST", "/api/pairings", { channelId: ch.id }, token);
    await env.DB.prepare("UPDATE pairings SET expires_at = ? WHERE code = ?")
      .bind(Date.now() - 1, invite.body.code)
      .run();
    await signedPost(ch.url, ch.secret, message("quinn", `/pair ${invite.body.code}`));
    await eventually(async () => texts("quinn").length === 1);
    expect(texts("quinn")[0]).toMatch(/did not work \(it expired\)/);

    await signedPost(ch.url, ch.secret, message("rita", "hello"));
    const [notice] = await eventually(async () => texts("rita").length === 1 && texts("rita"));
    const code = CODE.exec(notice!)![1]!;
    await env.DB.prepare("UPDATE pairings SET expires_at = ? WHERE code = ?")
      .bind(Date.now() - 1, code)
      .run();
    const late = await call<{ error: string }>("POST", `/api/pairings/${code}/approve`, undefined, token);
    expect(late.status).toBe(410);
    expect(late.body.error).toMatch(/expired/);
    const expired = await call<{ pairings: { code: string }[] }>("GET", "/api/pairings?status=expired", undefined, token);
    expect(expired.body.pairings.map((p) => p.code)).toContain(code);
    // Writing again gives the sender a fresh code.
    await signedPost(ch.url, ch.secret, message("rita", "hello again"));
    await eventually(async () => texts("rita").length === 2);
    expect(CODE.exec(texts("rita")[1]!)?.[1]).not.toBe(code);
  });
});

describe("sender policies", () => {
  it("allowlist answers listed senders and drops others with an audit row", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "allowlist", allowlist: ["liz"] });
    await signedPost(ch.url, ch.secret, message("liz", "listed"));
    await signedPost(ch.url, ch.secret, message("max", "not listed"));
    await eventually(async () => texts("liz").length === 1);
    const dropped = await eventually(async () => {
      const r = await env.DB.prepare("SELECT outcome FROM messages WHERE channel_id = ? AND sender_id = 'max'").bind(ch.id).first<{ outcome: string }>();
      return r ?? undefined;
    });
    expect(dropped.outcome).toBe("not_allowed");
    const events = await call<{ events: { kind: string; senderId: string }[] }>("GET", `/api/events?channelId=${ch.id}&kind=message.dropped`, undefined, token);
    expect(events.body.events).toContainEqual(expect.objectContaining({ senderId: "max" }));
    expect(texts("max")).toHaveLength(0);
  });

  it("a disabled channel answers nobody", async () => {
    callbacks = fakeCallbacks();
    const ch = await createWebhookChannel(token, { policy: "disabled" });
    await signedPost(ch.url, ch.secret, message("ned", "anyone?"));
    await eventually(
      async () => (await env.DB.prepare("SELECT outcome FROM messages WHERE channel_id = ?").bind(ch.id).first<{ outcome: string }>())?.outcome === "disabled",
    );
    expect(texts("ned")).toHaveLength(0);
  });
});
