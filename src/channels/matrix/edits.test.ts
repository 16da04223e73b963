/**
 * Streamed Matrix replies as events (edits.ts): the first part is the reply's own event under a
 * transaction id of its own, and an edit has the spec's shape (m.replace, the whole text in
 * m.new_content, the `* ` fallback, no thread relation of its own, no mentions).
 * https://spec.matrix.org/v1.12/client-server-api/#event-replacements
 */
import { describe, expect, it } from "vitest";
import { buildEditEvent, buildFirstPartEvent } from "./edits";
import { buildReplyEvent } from "./outbound";

const reply = {
  id: "in_01HX:0000",
  channelId: "ch_m",
  recipient: "@alice:example.org",
  conversationId: "!room:example.org",
  text: "The **answer** so far",
  replyContext: { threadRoot: "$root", eventId: "$question" },
};

describe("streamed Matrix replies", () => {
  it("posts the first part like the reply, in its thread, under its own transaction id", () => {
    const first = buildFirstPartEvent(reply);
    const whole = buildReplyEvent(reply);
    if (!first.ok || !whole.ok) throw new Error("not built");
    expect(first.event.content).toEqual(whole.event.content);
    expect(first.event.content["m.relates_to"]).toMatchObject({ rel_type: "m.thread", event_id: "$root" });
    // Distinct from the finished reply's, which is posted under its own when the message is gone.
    expect(first.event.txnId).toBe("loopgate.live.in_01HX_0000");
    expect(whole.event.txnId).toBe("loopgate.in_01HX_0000");
  });

  it("edits with m.replace, the new text whole in m.new_content and a `* ` fallback", () => {
    const edit = buildEditEvent({ ...reply, text: "The **answer**, finished." }, "$first");
    if (!edit.ok) throw new Error(edit.error);
    expect(edit.roomId).toBe("!room:example.org");
    expect(edit.content).toEqual({
      msgtype: "m.text",
      body: "* The **answer**, finished.",
      format: "org.matrix.custom.html",
      formatted_body: "* The <strong>answer</strong>, finished.",
      "m.mentions": {},
      "m.new_content": {
        msgtype: "m.text",
        body: "The **answer**, finished.",
        format: "org.matrix.custom.html",
        formatted_body: "The <strong>answer</strong>, finished.",
        "m.mentions": {},
      },
      // Only the replacement: the thread stays the original event's (the spec ignores any other here).
      "m.relates_to": { rel_type: "m.replace", event_id: "$first" },
    });
  });

  it("edits plain text without HTML", () => {
    const edit = buildEditEvent({ ...reply, text: "plain words" }, "$first");
    if (!edit.ok) throw new Error(edit.error);
    expect(edit.content.body).toBe("* plain words");
    expect(edit.content).not.toHaveProperty("formatted_body");
    expect(edit.content["m.new_content"]).toEqual({ msgtype: "m.text", body: "plain words", "m.mentions": {} });
  });

  it("refuses a target that is not a room, as the reply does", () => {
    expect(buildEditEvent({ ...reply, conversationId: undefined }, "$first")).toMatchObject({ ok: false, error: expect.stringContaining("no room given") });
  });
});
