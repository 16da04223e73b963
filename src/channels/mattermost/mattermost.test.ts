/** Mattermost HTTP units: documented slash command and outgoing webhook payloads, and create-post error mapping. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isBadRootId, mattermostSendResult } from "./api";
import { fieldsOf, normalizeMattermost } from "./inbound";
import outgoing from "./fixtures/outgoing-webhook.json";

const slashBody = readFileSync(new URL("./fixtures/slash-command.txt", import.meta.url), "utf8").trim();

describe("Mattermost inbound", () => {
  it("reads a slash command as the user's message in the channel, keyed by trigger_id", () => {
    const fields = fieldsOf(slashBody, "application/x-www-form-urlencoded")!;
    const inbound = normalizeMattermost(fields);
    expect(inbound).toMatchObject({
      kind: "slash",
      token: "xr3j5x3p4pfk7fgmq6c3ijbqyh",
      message: { senderId: "7sd8yfhm8jgzdypxu37qxhtnjy", senderName: "alice", conversationId: "fukjyfm6d3rs5xjp8pxqbxe8ja", text: "what is the weather?" },
    });
    expect(inbound.kind !== "invalid" && inbound.message.platformMessageId).toMatch(/^slash:OWJ5/);
  });

  it("reads an outgoing webhook (JSON or form) without its trigger word, answered in the post's thread", () => {
    const expected = {
      kind: "webhook",
      token: "zmigewsanbbsdf59xnmduzypjc",
      message: {
        senderId: "rnina9994bde8mua79zqcg5hmo",
        conversationId: "hawos4dqtby53pd64o4a4cmeoo",
        platformMessageId: "post:axdygg1957njfe5pu38saikdho",
        text: "text here",
        replyContext: { rootId: "axdygg1957njfe5pu38saikdho" },
      },
    };
    expect(normalizeMattermost(fieldsOf(JSON.stringify(outgoing), "application/json")!)).toMatchObject(expected);
    expect(normalizeMattermost(fieldsOf(new URLSearchParams(outgoing).toString(), "application/x-www-form-urlencoded")!)).toMatchObject(expected);
  });

  it("refuses other shapes and content types", () => {
    expect(fieldsOf("{}", "text/plain")).toBeNull();
    expect(fieldsOf("[1]", "application/json")).toBeNull();
    expect(normalizeMattermost({ token: "x", text: "hi" })).toMatchObject({ kind: "invalid" });
    expect(normalizeMattermost({ ...outgoing, channel_id: "../../etc" })).toMatchObject({ kind: "invalid" });
  });
});

describe("Mattermost errors", () => {
  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers });
  it("maps each answer once", async () => {
    expect(await mattermostSendResult(res(201, { id: "p1" }))).toEqual({ ok: true, platformMessageId: "p1" });
    expect(await mattermostSendResult(res(429, { id: "", message: "too many" }, { "retry-after": "2" }))).toMatchObject({
      retryable: true,
      retryAfterMs: 2000,
    });
    expect(await mattermostSendResult(res(429, { message: "too many" }, { "x-ratelimit-reset": "3" }))).toMatchObject({ retryable: true, retryAfterMs: 3000 });
    expect(await mattermostSendResult(res(500, { message: "boom" }))).toMatchObject({ retryable: true });
    expect(await mattermostSendResult(res(403, { id: "api.context.permissions.app_error", message: "no" }))).toMatchObject({
      retryable: false,
      error: expect.stringContaining("add the bot"),
    });
    const root = await mattermostSendResult(res(400, { id: "api.post.create_post.root_id.app_error", message: "Invalid RootId parameter." }));
    expect(root).toMatchObject({ retryable: false });
    expect(isBadRootId(root.ok ? "" : (root.errorId ?? ""))).toBe(true);
  });
});
