/**
 * Mattermost files, unit layer: a `posted` event's `metadata.files` become attachments the
 * gateway downloads; a webhook's comma-separated `file_ids` are read and looked up with the bot
 * token, only for files of that post; downloads go to the configured server's
 * `GET /api/v4/files/{id}` with the bot token, against the fake server.
 */
import { describe, expect, it } from "vitest";
import { createMattermostFake, mattermostId } from "./fake-server";
import { fetchMattermostFile, fileIdsOf, lookUpFileInfos } from "./files";
import { normalizeMattermostPost, parsePostedEvent } from "./websocket-post";
import posted from "./fixtures/websocket-posted-file.json";

const bot = { id: "b0tb0tb0tb0tb0tb0tb0tb0tb0", username: "loopbot" };
const TOKEN = "unitbottoken00000000000000";

describe("Mattermost post files", () => {
  it("turns a posted event's metadata.files into attachments beside the text", () => {
    const parsed = parsePostedEvent(posted.data);
    if ("error" in parsed) throw new Error(parsed.error);
    expect(normalizeMattermostPost(parsed.post, parsed.context, bot)).toMatchObject({
      kind: "message",
      message: {
        text: "what does this receipt say?\n[file: receipt.png]",
        attachments: [{ type: "image/png", name: "receipt.png", size: 48213, url: "mattermost-file:u9y9kqfy5tyb3jizukt3oqn9xa" }],
      },
    });
  });

  it("answers a post with only a file, and says so when the infos are missing", () => {
    const parsed = parsePostedEvent(posted.data);
    if ("error" in parsed) throw new Error(parsed.error);
    const bare = { ...parsed.post, message: "@loopbot", metadata: {} };
    expect(normalizeMattermostPost(bare, parsed.context, bot)).toMatchObject({ kind: "message", message: { text: "[a file not shown]" } });
    const odd = { ...parsed.post, metadata: { files: [{ id: "../../users/me" }, ...(parsed.post.metadata?.files ?? [])] } };
    expect(normalizeMattermostPost(odd, parsed.context, bot)).toMatchObject({ message: { attachments: [{ name: "receipt.png" }] } });
  });

  it("reads a webhook's file_ids and drops anything that is not an id", () => {
    expect(fileIdsOf("u9y9kqfy5tyb3jizukt3oqn9xa,abcdefghijklmnopqrstuvwxyz")).toEqual(["u9y9kqfy5tyb3jizukt3oqn9xa", "abcdefghijklmnopqrstuvwxyz"]);
    expect(fileIdsOf("")).toEqual([]);
    expect(fileIdsOf("../x,u9y9kqfy5tyb3jizukt3oqn9xa,u9y9kqfy5tyb3jizukt3oqn9xa")).toEqual(["u9y9kqfy5tyb3jizukt3oqn9xa"]);
  });
});

describe("Mattermost file look-up and download", () => {
  const fake = createMattermostFake({ botToken: TOKEN });
  const fetchFake = (async (i: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(i, init))) as typeof fetch;
  const client = { serverUrl: "https://chat.example.test/", botToken: TOKEN, fetch: fetchFake };
  const channelId = mattermostId();
  const postId = mattermostId();
  fake.addBotTo(channelId);
  const pdf = new TextEncoder().encode("%PDF-1.4\n%unit\n");
  const info = fake.addFile(channelId, postId, "minutes.pdf", "application/pdf", pdf);

  it("looks up only the post's own files, with the bot token", async () => {
    const other = fake.addFile(channelId, mattermostId(), "secret.txt", "text/plain", new Uint8Array(3));
    const hidden = fake.addFile(mattermostId(), postId, "elsewhere.txt", "text/plain", new Uint8Array(3));
    const found = await lookUpFileInfos(client, [info.id, other.id, hidden.id, mattermostId()], postId);
    expect(found.infos.map((i) => i.name)).toEqual(["minutes.pdf"]);
    expect(found.missing).toBe(3);
    expect((await lookUpFileInfos({ ...client, botToken: "wrong-token-0000000000000" }, [info.id], postId)).infos).toEqual([]);
  });

  it("downloads from the configured server with the bot token, capped", async () => {
    const attachment = { type: "application/pdf", url: `mattermost-file:${info.id}` };
    expect(await fetchMattermostFile(client, attachment, 1024)).toEqual({ ok: true, bytes: pdf, mediaType: "application/pdf" });
    expect(await fetchMattermostFile(client, attachment, 4)).toMatchObject({ ok: false, reason: "too_large" });
    expect(await fetchMattermostFile({ ...client, botToken: "wrong-token-0000000000000" }, attachment, 1024)).toMatchObject({
      ok: false,
      error: "Mattermost file download failed: HTTP 401",
    });
    expect(await fetchMattermostFile(client, { type: "image/png", url: "https://evil.example/a.png" }, 1024)).toMatchObject({
      ok: false,
      reason: "unavailable",
    });
  });
});
