/**
 * A Telegram channel created through the API (not the dashboard, which runs setup at once) hears
 * nothing until its setup registers the webhook: its status says so (`setup_pending`, with what
 * to do) instead of "ok", until setup has run; a channel type with nothing to register waits for
 * its first request instead.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createTelegramFake } from "./fake-bot-api";
import { adminToken, call, createWebhookChannel, routeFetchTo, withoutRealNetwork } from "../../../test/worker/helpers";

const API_BASE = "https://telegram-setup-pending.fake";
let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

type Channel = { id: string; status: string; lastError: string | null; statusDetail: string | null };
const channelOf = async (id: string) => (await call<{ channel: Channel }>("GET", `/api/channels/${id}`, undefined, admin)).body.channel;

async function createTelegram(token: string) {
  const created = await call<{ channel: Channel }>(
    "POST",
    "/api/channels",
    { type: "telegram", name: "Family Telegram", policy: "open", config: { botToken: token, apiBase: API_BASE } },
    admin,
  );
  expect(created.status).toBe(201);
  return created.body.channel;
}

describe("a channel created through the API, before its setup ran", () => {
  it("reads setup_pending with what to do, and ok once setup has registered the webhook", async () => {
    const token = `${100_000 + Math.floor(Math.random() * 900_000)}:AApending${crypto.randomUUID().replaceAll("-", "")}`;
    const fake = createTelegramFake({ token, deliverFetch: (url, init) => SELF.fetch(url, init) });
    routeFetchTo(`${API_BASE}/`, fake.handle);
    const created = await createTelegram(token);
    expect(created.status).toBe("setup_pending");
    expect(created.statusDetail).toContain(`POST /api/channels/${created.id}/setup`);
    // Listed the same way, and an edit does not make it ok: setup still has not run.
    expect((await call("PUT", `/api/channels/${created.id}`, { name: "Family" }, admin)).status).toBe(200);
    const listed = (await call<{ channels: Channel[] }>("GET", "/api/channels", undefined, admin)).body.channels.find((c) => c.id === created.id);
    expect(listed).toMatchObject({ status: "setup_pending" });

    const setup = await call<{ ok: boolean }>("POST", `/api/channels/${created.id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(true);
    expect(fake.state.webhook?.url).toContain(`/hooks/${created.id}`);
    expect(await channelOf(created.id)).toMatchObject({ status: "ok", lastError: null, statusDetail: null });
  });

  it("reads error, not ok, when its setup ran and failed", async () => {
    // No fake behind this API root: Telegram is not reached.
    withoutRealNetwork();
    const created = await call<{ channel: Channel }>(
      "POST",
      "/api/channels",
      {
        type: "telegram",
        name: "Unreachable",
        policy: "open",
        config: { botToken: "123456:AAunreachable0000000000000000000000", apiBase: "https://telegram-nowhere.fake" },
      },
      admin,
    );
    expect(created.body.channel.status).toBe("setup_pending");
    const setup = await call<{ ok: boolean }>("POST", `/api/channels/${created.body.channel.id}/setup`, {}, admin);
    expect(setup.body.ok).toBe(false);
    expect(await channelOf(created.body.channel.id)).toMatchObject({ status: "error", statusDetail: null });
  });

  it("waits for the first request, not setup, for a type whose setup registers nothing (a signed webhook)", async () => {
    const { id } = await createWebhookChannel(admin);
    expect(await channelOf(id)).toMatchObject({ status: "awaiting_event" });
    // Its setup lists what the integrator does; nothing arrived, so it still waits (test/worker/channel-status.test.ts).
    expect((await call<{ ok: boolean }>("POST", `/api/channels/${id}/setup`, {}, admin)).body.ok).toBe(true);
    expect((await channelOf(id)).status).toBe("awaiting_event");
  });
});
