/**
 * Mattermost end to end: `npm start` as a process and a fake Mattermost on 127.0.0.1 (REST
 * API v4 and its integrations). Setup checks the bot token; a slash command and an outgoing
 * webhook reach the agent, and answers come back as the bot's posts, the webhook's in thread.
 */
import { describe, expect, it } from "vitest";
import { createMattermostFake, mattermostId } from "./fake-server";
import outgoing from "./fixtures/outgoing-webhook.json";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";

const PORT = 9102;
const BOT_TOKEN = "e2ebottoken0000000000000000";
const SLASH_TOKEN = "xr3j5x3p4pfk7fgmq6c3ijbqyh";

describe("Mattermost channel end to end", () => {
  const fake = createMattermostFake({ botToken: BOT_TOKEN });
  const platform = platformGateway({ port: PORT, fake: () => fake.handle });

  it("answers a slash command in its channel and an outgoing webhook in its thread", async () => {
    const { api } = await setupAdmin(platform.gw);
    const channel = await createChannelWithSetup(api, {
      type: "mattermost",
      name: "Mattermost",
      policy: "open",
      config: { serverUrl: platform.fakeUrl, botToken: BOT_TOKEN, slashCommandToken: SLASH_TOKEN, outgoingWebhookToken: outgoing.token },
    });
    expect(channel.steps.join(" ")).toContain(channel.inboundUrl);
    const channelId = mattermostId();
    fake.addBotTo(channelId);

    const ack = await fake.slash(channel.inboundUrl, {
      token: SLASH_TOKEN,
      command: "/ask",
      text: "what is 2 + 2?",
      channel_id: channelId,
      user_id: mattermostId(),
      user_name: "alice",
      trigger_id: "trigger-e2e-1",
    });
    expect(await ack.json()).toEqual({ response_type: "ephemeral", text: "" });
    await waitFor(async () => fake.state.posts.length >= 1, 20_000, "the slash command's answer");
    expect(fake.state.posts[0]).toMatchObject({ channel_id: channelId, root_id: "", message: expect.stringContaining("You said: what is 2 + 2?") });

    const post = fake.userPost(channelId, "some question here");
    const hook = await fake.outgoing(channel.inboundUrl, { ...outgoing, channel_id: channelId, post_id: post.id, text: "some question here" });
    expect(hook.status).toBe(200);
    await waitFor(async () => fake.state.posts.length >= 2, 20_000, "the webhook's answer");
    expect(fake.state.posts[1]).toMatchObject({ root_id: post.id, message: expect.stringContaining("You said: question here") });

    const forged = await fake.outgoing(channel.inboundUrl, { ...outgoing, token: "not-the-token-at-all", channel_id: channelId, post_id: post.id });
    expect(forged.status).toBe(401);
  });
});
