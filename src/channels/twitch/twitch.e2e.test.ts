/**
 * Twitch end to end: `npm start` as a process and a fake Twitch on 127.0.0.1 (OAuth, Helix,
 * EventSub). Setup subscribes and passes the challenge; a chatter who @mentions the bot gets
 * the pairing code in chat, is approved by the admin, and is then answered by the agent.
 */
import { describe, expect, it } from "vitest";
import { createTwitchFake } from "./fake-helix";
import chatMessage from "./fixtures/chat-message.json";
import { settleWithControl } from "../../../test/support/after-control";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";

const PORT = 9101;
const CLIENT_ID = "e2eclientid0000";
const CLIENT_SECRET = "e2eclientsecret0000";
const BOT_ID = "2914196";

function mention(text: string) {
  const event = structuredClone(chatMessage.event);
  event.message_id = crypto.randomUUID();
  event.message.text = `@loopbot ${text}`;
  event.message.fragments = [
    { type: "mention", text: "@loopbot", mention: { user_id: BOT_ID, user_login: "loopbot", user_name: "loopbot" } } as never,
    { type: "text", text: ` ${text}`, cheermote: null, emote: null, mention: null },
  ];
  return event;
}

describe("Twitch channel end to end", () => {
  const fake = createTwitchFake({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const platform = platformGateway({ port: PORT, fake: () => fake.handle });
  const nth = async (count: number) => {
    await waitFor(async () => fake.state.chat.length >= count, 20_000, `${count} chat messages`);
    return fake.state.chat[count - 1]!;
  };

  it("subscribes, pairs a chatter and answers in chat", async () => {
    const { api } = await setupAdmin(platform.gw);
    const channel = await createChannelWithSetup(api, {
      type: "twitch",
      name: "Twitch",
      config: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        botUserId: BOT_ID,
        broadcasterUserId: "1971641",
        apiBase: `${platform.fakeUrl}/helix`,
        authBase: platform.fakeUrl,
      },
    });
    expect(fake.state.subscriptions.find((s) => s.type === "channel.chat.message")).toMatchObject({ status: "enabled", callback: channel.inboundUrl });

    const hello = mention("hello");
    expect((await fake.notify("channel.chat.message", hello)).status).toBe(204);
    const notice = await nth(1);
    expect(notice).toMatchObject({ reply_parent_message_id: hello.message_id });
    const code = /pairing code is (\w+)/.exec(notice.message)?.[1];
    expect(code).toBeTruthy();
    expect((await api("POST", `/api/pairings/${code}/approve`, {})).status).toBe(200);
    expect((await nth(2)).message).toContain("You are paired");

    const question = mention("what is 2 + 2?");
    await fake.notify("channel.chat.message", question, { messageId: "twitch-retry-1" });
    await fake.notify("channel.chat.message", question, { messageId: "twitch-retry-1" });
    const answer = await nth(3);
    expect(answer).toMatchObject({ broadcaster_id: "1971641", sender_id: BOT_ID, reply_parent_message_id: question.message_id });
    expect(answer.message).toContain("You said: what is 2 + 2?");
    // A fresh mention from the same chatter, answered: the retried notification is settled.
    await settleWithControl(
      (text) => fake.notify("channel.chat.message", mention(text)),
      fake.state.chat,
      (c) => c.message,
    );
    expect(fake.state.chat).toHaveLength(3);
  });
});
