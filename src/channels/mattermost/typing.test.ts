/**
 * The Mattermost typing request and the fake server's checks of it: the path and body the API
 * reference gives, the bot token, the bot's own user only, a channel the bot may post in.
 */
import { describe, expect, it } from "vitest";
import type { ChannelContext } from "../shared/types";
import { mattermostAdapter, type MattermostConfig } from ".";
import { createMattermostFake, FAKE_BOT_USER_ID, mattermostId } from "./fake-server";

const botToken = "bottoken0123456789abcdef";
const config: MattermostConfig = { serverUrl: "https://chat.test", botToken, slashCommandToken: "slashtoken0123" };

function setup() {
  const fake = createMattermostFake({ botToken });
  const calls: { url: string; auth: string | null; body: unknown }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push({ url: request.url, auth: request.headers.get("authorization"), body: await request.clone().json() });
    return fake.handle(request);
  }) as typeof fetch;
  const ctx: ChannelContext<MattermostConfig> = { channelId: "ch_mm", config, publicUrl: "https://gw.test", now: Date.now(), fetch: fetchFn };
  return { fake, calls, ctx };
}

const typing = (fake: ReturnType<typeof setup>["fake"], user: string, body: string, token = botToken) =>
  fake.handle(
    new Request(`https://chat.test/api/v4/users/${user}/typing`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    }),
  );

describe("Mattermost typing indicator", () => {
  it("publishes the bot's typing event in the reply's thread, with the bot token", async () => {
    const { fake, calls, ctx } = setup();
    const channel = mattermostId();
    const root = mattermostId();
    fake.addBotTo(channel);
    await mattermostAdapter.typing!.show({ recipient: "someone", conversationId: channel, replyContext: { rootId: root } }, ctx);
    await mattermostAdapter.typing!.show({ recipient: "someone", conversationId: channel }, ctx);
    expect(calls).toEqual([
      { url: "https://chat.test/api/v4/users/me/typing", auth: `Bearer ${botToken}`, body: { channel_id: channel, parent_id: root } },
      { url: "https://chat.test/api/v4/users/me/typing", auth: `Bearer ${botToken}`, body: { channel_id: channel } },
    ]);
    expect(fake.state.typing.map(({ channel_id, parent_id }) => ({ channel_id, parent_id }))).toEqual([
      { channel_id: channel, parent_id: root },
      { channel_id: channel, parent_id: "" },
    ]);
  });

  it("the fake answers as the server: 200 for the bot in its channel, else 401, 403 or 400", async () => {
    const { fake } = setup();
    const channel = mattermostId();
    fake.addBotTo(channel);
    const body = JSON.stringify({ channel_id: channel });
    const ok = await typing(fake, FAKE_BOT_USER_ID, body);
    expect([ok.status, await ok.json()]).toEqual([200, { status: "OK" }]);
    expect((await typing(fake, "me", body, "wrongtoken0123456789")).status).toBe(401);
    expect((await typing(fake, mattermostId(), body)).status).toBe(403);
    expect((await typing(fake, "me", JSON.stringify({ channel_id: mattermostId() }))).status).toBe(403);
    expect((await typing(fake, "me", "{not json")).status).toBe(400);
    expect(fake.state.typing).toHaveLength(1);
  });
});
