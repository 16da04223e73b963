/** Mattermost WebSocket units: a documented `posted` event, and which posts the bot answers and where. */
import { describe, expect, it } from "vitest";
import { normalizeMattermostPost, parsePostedEvent, type MattermostPost } from "./websocket-post";
import posted from "./fixtures/websocket-posted-mention.json";

const bot = { id: "b0tb0tb0tb0tb0tb0tb0tb0tb0", username: "loopbot" };
const post = (fields: Partial<MattermostPost>): MattermostPost => ({
  id: "pfq6gh5xibbzbq6o1kxd9mctqr",
  create_at: 1,
  delete_at: 0,
  user_id: "7sd8yfhm8jgzdypxu37qxhtnjy",
  channel_id: "fukjyfm6d3rs5xjp8pxqbxe8ja",
  root_id: "",
  message: "hi",
  type: "",
  ...fields,
});

describe("Mattermost posted events", () => {
  it("answers a mention in its thread, without the mention, keyed by the post id", () => {
    const parsed = parsePostedEvent(posted.data);
    if ("error" in parsed) throw new Error(parsed.error);
    expect(normalizeMattermostPost(parsed.post, parsed.context, bot)).toEqual({
      kind: "message",
      message: {
        senderId: "7sd8yfhm8jgzdypxu37qxhtnjy",
        senderName: "alice",
        conversationId: "fukjyfm6d3rs5xjp8pxqbxe8ja",
        platformMessageId: "post:pfq6gh5xibbzbq6o1kxd9mctqr",
        text: "what is the weather?",
        replyContext: { rootId: "pfq6gh5xibbzbq6o1kxd9mctqr" },
      },
    });
  });

  it("answers a DM inline, or in the thread it was written in", () => {
    expect(normalizeMattermostPost(post({ message: "hello" }), { channelType: "D" }, bot)).toMatchObject({
      kind: "message",
      message: { replyContext: undefined },
    });
    const inThread = normalizeMattermostPost(post({ root_id: "rootrootrootrootrootroot00" }), { channelType: "D" }, bot);
    expect(inThread).toMatchObject({ message: { replyContext: { rootId: "rootrootrootrootrootroot00" } } });
  });

  it("ignores chatter, its own posts, other bots, system and deleted posts, and channels with dmOnly", () => {
    const ignored = (p: MattermostPost, channelType = "O", mentionedIds?: string[], dmOnly = false) =>
      normalizeMattermostPost(p, { channelType, mentionedIds }, bot, { dmOnly }).kind;
    expect(ignored(post({ message: "talking about loopbot, not to it" }), "O", [])).toBe("ignored");
    expect(ignored(post({ message: "email@loopbot.example" }))).toBe("ignored");
    expect(ignored(post({ user_id: bot.id }), "D")).toBe("ignored");
    expect(ignored(post({ props: { from_bot: "true" } }), "D")).toBe("ignored");
    expect(ignored(post({ type: "system_join_channel" }), "D")).toBe("ignored");
    expect(ignored(post({ delete_at: 5 }), "D")).toBe("ignored");
    expect(ignored(post({ message: "@loopbot hi" }), "O", [bot.id], true)).toBe("ignored");
    expect(ignored(post({ message: "@loopbot" }), "O", [bot.id])).toBe("ignored");
    // A fetched post (no mentions list) is read for @loopbot itself.
    expect(ignored(post({ message: "hey @LoopBot, status?" }))).toBe("message");
  });

  it("refuses malformed events", () => {
    expect(parsePostedEvent({ channel_type: "O", post: "{not json" })).toEqual({ error: "posted event whose post is not JSON" });
    expect(parsePostedEvent({ channel_type: "O", post: JSON.stringify({ id: "../x" }) })).toEqual({ error: "posted event with a malformed post" });
    expect(parsePostedEvent({ post: "{}" })).toMatchObject({ error: expect.any(String) });
  });
});
