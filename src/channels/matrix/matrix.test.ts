/** The Matrix channel's pure parts: which room events are for the bot, and how replies are built. */
import { describe, expect, it } from "vitest";
import events from "./fixtures/events.json";
import { markdownToMatrixHtml } from "./format";
import { type MatrixEventView, mentionsBot, readMatrixEvent, stripReplyFallback } from "./inbound";
import { matrixConfigSchema } from "./index";
import { buildReplyEvent } from "./outbound";

const bot = { userId: "@loopbot:example.org", displayName: "Loopbot" };
const room = { direct: false, senderName: "Alice" };
const dm = { direct: true, senderName: "Alice" };
const view = (e: { event_id: string; room_id: string; sender: string; type: string; content: Record<string, unknown> }): MatrixEventView => ({
  eventId: e.event_id,
  roomId: e.room_id,
  sender: e.sender,
  type: e.type,
  content: e.content,
});

describe("reading Matrix room events", () => {
  it("answers every message in a direct-message room, inline, keyed by its event id", () => {
    const out = readMatrixEvent(view(events.text), dm, bot);
    expect(out).toEqual({
      kind: "message",
      message: expect.objectContaining({
        senderId: "@example:example.org",
        conversationId: "!jEsUZKDJdhlrceRyVU:example.org",
        platformMessageId: "$143273582443PhrSn:example.org",
        text: "This is an example text message",
        replyContext: { eventId: "$143273582443PhrSn:example.org" },
      }),
    });
  });

  it("in a room, answers only a mention, in a thread started on it, without the address", () => {
    expect(readMatrixEvent(view(events.text), room, bot)).toMatchObject({ kind: "ignored" });
    const out = readMatrixEvent(view(events.mention), room, bot);
    expect(out).toMatchObject({
      kind: "message",
      message: { text: "Hello Loopbot, what is the time?", replyContext: { threadRoot: "$mention0001:example.org" } },
    });
  });

  it("keeps the thread a message was written in, and drops a leading address", () => {
    const out = readMatrixEvent(view(events.threaded), room, bot);
    expect(out).toMatchObject({
      kind: "message",
      message: { text: "and tomorrow?", replyContext: { threadRoot: "$root", eventId: "$thread0001:example.org" } },
    });
    // A direct message in a thread is answered in that thread too.
    expect(readMatrixEvent(view(events.threaded), dm, bot)).toMatchObject({ message: { replyContext: { threadRoot: "$root" } } });
  });

  it("ignores edits, notices, the bot's own messages and other event types", () => {
    expect(readMatrixEvent(view(events.edit), room, bot)).toMatchObject({ kind: "ignored", why: "an edit" });
    const notice = { ...view(events.text), content: { msgtype: "m.notice", body: "Loopbot hi" } };
    expect(readMatrixEvent(notice, dm, bot)).toMatchObject({ kind: "ignored" });
    expect(readMatrixEvent({ ...view(events.text), sender: bot.userId }, dm, bot)).toMatchObject({ kind: "ignored", why: "the bot's own message" });
    expect(readMatrixEvent({ ...view(events.text), type: "m.reaction" }, dm, bot)).toMatchObject({ kind: "ignored" });
    expect(readMatrixEvent({ ...view(events.text), content: { msgtype: "m.text" } }, dm, bot)).toMatchObject({ kind: "ignored" });
  });

  it("hands a file on described, not its text as a question", () => {
    const image = { ...view(events.text), content: { msgtype: "m.image", body: "cat.png", url: "mxc://example.org/abc" } };
    expect(readMatrixEvent(image, dm, bot)).toMatchObject({ kind: "message", message: { text: "", attachments: [{ type: "image/*", name: "cat.png" }] } });
  });

  it("decides mentions by m.mentions when present, else by id, link or display name", () => {
    // m.mentions present and empty: the name in the text is not a mention (a reply quoting it, say).
    expect(mentionsBot({ body: "Loopbot is great", "m.mentions": {} }, bot)).toBe(false);
    expect(mentionsBot({ body: "hey @loopbot:example.org" }, bot)).toBe(true);
    expect(mentionsBot({ body: "hey you", formatted_body: '<a href="https://matrix.to/#/@loopbot:example.org">you</a>' }, bot)).toBe(true);
    expect(mentionsBot({ body: "loopbot: hi" }, bot)).toBe(true);
    expect(mentionsBot({ body: "loopbotter hi" }, bot)).toBe(false);
    expect(mentionsBot({ body: "hello everyone" }, bot)).toBe(false);
  });

  it("strips the quoted original that older clients put before a reply", () => {
    expect(stripReplyFallback("> <@alice:example.org> what time is it?\n> second line\n\nthe answer")).toBe("the answer");
    expect(stripReplyFallback("no quote here")).toBe("no quote here");
  });
});

describe("building Matrix replies", () => {
  const reply = { id: "dlv_1", channelId: "ch_1", recipient: "@alice:example.org", conversationId: "!room:example.org", text: "plain answer" };

  it("sends m.text with no mentions, inline for a direct message", () => {
    const built = buildReplyEvent({ ...reply, replyContext: { eventId: "$q" } });
    expect(built).toEqual({
      ok: true,
      event: { roomId: "!room:example.org", txnId: "loopgate.dlv_1", content: { msgtype: "m.text", body: "plain answer", "m.mentions": {} } },
    });
  });

  it("answers in the thread, replying to the message for clients without threads", () => {
    const built = buildReplyEvent({ ...reply, replyContext: { eventId: "$q", threadRoot: "$root" } });
    expect(built.ok && built.event.content["m.relates_to"]).toEqual({
      rel_type: "m.thread",
      event_id: "$root",
      is_falling_back: true,
      "m.in_reply_to": { event_id: "$q" },
    });
  });

  it("adds HTML only when the answer has markup, escaped", () => {
    const built = buildReplyEvent({ ...reply, text: "**bold** <script>" });
    expect(built.ok && built.event.content).toMatchObject({ format: "org.matrix.custom.html", formatted_body: "<strong>bold</strong> &lt;script&gt;" });
  });

  it("refuses a reply without a room", () => {
    expect(buildReplyEvent({ ...reply, conversationId: undefined })).toMatchObject({ ok: false, error: expect.stringContaining("no room given") });
  });

  it("keeps the transaction id of a re-sent reply, so the homeserver dedupes it", () => {
    const a = buildReplyEvent(reply);
    const b = buildReplyEvent(reply);
    expect(a.ok && b.ok && a.event.txnId === b.event.txnId).toBe(true);
  });
});

describe("Matrix HTML", () => {
  it("renders code blocks, lists, links and headings", () => {
    expect(markdownToMatrixHtml("# Title\n- one\n- *two*\n\n```ts\nconst a = 1 < 2;\n```")).toBe(
      '<h1>Title</h1><ul><li>one</li><li><em>two</em></li></ul><br><pre><code class="language-ts">const a = 1 &lt; 2;\n</code></pre>',
    );
    expect(markdownToMatrixHtml("see [docs](https://example.org/a)")).toBe('see <a href="https://example.org/a">docs</a>');
    expect(markdownToMatrixHtml("just words\nand lines")).toBeNull();
  });
});

describe("Matrix config", () => {
  const base = {
    bridgeId: "brg_abc",
    homeserverUrl: "https://matrix.example.org",
    userId: "@loopbot:example.org",
    deviceId: "ABCDEFGHIJ",
    accessToken: "syt_bG9vcGJvdA_abc",
  };
  it("accepts a complete config and rejects a user id without a server", () => {
    expect(matrixConfigSchema.safeParse(base).success).toBe(true);
    expect(matrixConfigSchema.safeParse({ ...base, userId: "loopbot" }).success).toBe(false);
    expect(matrixConfigSchema.safeParse({ ...base, homeserverUrl: "ftp://x" }).success).toBe(false);
  });
  it("reads inviters as user ids or server names", () => {
    const parsed = matrixConfigSchema.parse({ ...base, inviters: ["@alice:example.org", ":example.com", "matrix.org"] });
    expect(parsed.inviters).toEqual(["@alice:example.org", "example.com", "matrix.org"]);
    expect(matrixConfigSchema.safeParse({ ...base, inviters: ["not a name!"] }).success).toBe(false);
  });
});
