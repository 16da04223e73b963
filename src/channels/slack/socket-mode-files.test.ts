/**
 * Slack Socket Mode's files: the bridge hands the gateway the same `slack-file:` reference the
 * Events API channel makes (the bridge normalizes envelopes with events.ts), and the
 * `slack-socket` adapter downloads it with the bot token, only from Slack's file host.
 */
import { describe, expect, it } from "vitest";
import { normalizeSlackPayload } from "./events";
import fileShare from "./fixtures/file-share-im.json";
import { slackSocketAdapter, type SlackSocketConfig } from "./socket-mode";

const config: SlackSocketConfig = { bridgeId: "br_test", botToken: "xoxb-socket-files-test", appToken: "xapp-1-A0TEST-0000-test" };
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);

function sharedFile() {
  const payload = normalizeSlackPayload(fileShare);
  if (payload.kind !== "message") throw new Error(`expected a message, got ${payload.kind}`);
  const attachment = payload.message.attachments?.[0];
  if (!attachment) throw new Error("the file share carried no attachment");
  return attachment;
}

describe("slack-socket: files people share", () => {
  it("downloads the shared file with the bot token from files.slack.com", async () => {
    const seen: { url: string; authorization: string | null }[] = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), authorization: new Headers(init?.headers).get("authorization") });
      return new Response(JPEG, { headers: { "content-type": "image/jpeg", "content-length": String(JPEG.length) } });
    }) as typeof globalThis.fetch;
    const attachment = sharedFile();
    const fetched = await slackSocketAdapter.fetchAttachment!(attachment, { config, fetch } as never, 5_000_000);
    expect(fetched).toMatchObject({ ok: true });
    expect(seen).toEqual([{ url: expect.stringMatching(/^https:\/\/files\.slack\.com\//), authorization: `Bearer ${config.botToken}` }]);
  });

  it("never sends the token to another host a reference names", async () => {
    let called = false;
    const fetch = (async () => {
      called = true;
      return new Response("");
    }) as unknown as typeof globalThis.fetch;
    const fetched = await slackSocketAdapter.fetchAttachment!(
      { ...sharedFile(), url: "slack-file:https://attacker.example/steal" },
      { config, fetch } as never,
      5_000_000,
    );
    expect(fetched).toMatchObject({ ok: false, reason: "unavailable" });
    expect(called).toBe(false);
  });
});
