/**
 * Pictures a sender attached, as the model gets them (downloading, limits and byte checks are
 * in agent-media.test.ts): base64 image blocks before the text on the turn they
 * arrive, through the real SDK to the fake Messages API, which validates image blocks like the
 * API does. Later turns carry only the text, so history stays byte-stable.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClaudeRuntime } from "../../src/agent/claude";
import { DEFAULT_SYSTEM_PROMPT } from "../../src/agent/system-prompt.generated";
import type { TurnRequest } from "../../src/agent/types";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";

const KEY = "sk-ant-test-images-42";
const PHOTO = new Uint8Array(readFileSync(new URL("../../src/channels/telegram/fixtures/photo.jpg", import.meta.url)));
const PHOTO_BASE64 = Buffer.from(PHOTO).toString("base64");

describe("the Claude runtime with an image", () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, minCacheableTokens: 256 });
  });
  afterAll(() => fake.close());

  const rt = () =>
    createClaudeRuntime({
      apiKey: KEY,
      baseURL: fake.url,
      model: "claude-sonnet-5-5",
      maxTokens: 512,
      systemPrompt: DEFAULT_SYSTEM_PROMPT,
      maxSteps: 2,
      historyTokenBudget: 100_000,
      timeoutMs: 5_000,
      retry: { maxAttempts: 1, baseDelayMs: 10, maxWaitMs: 1_000 },
    });
  const turn = (text: string, extra: Partial<TurnRequest> = {}): TurnRequest => ({
    channelId: "ch_tg",
    channelType: "telegram",
    senderId: "1111111",
    trust: "paired",
    history: [],
    text,
    ...extra,
  });

  it("sends the picture as a base64 image block before the text on its turn, and only the text afterwards", async () => {
    const first = await rt().runTurn(turn("What is in this picture?\n[photo]", { images: [{ mediaType: "image/jpeg", data: PHOTO_BASE64 }] }));
    expect(first.ok && first.text).toMatch(/^Answer #\d+: I see 1 image \(image\/jpeg 48x32\); you said /);
    const sent = fake.answered().at(-1)!.body.messages as { role: string; content: { type: string; source?: unknown; text?: string }[] }[];
    const last = sent.at(-1)!;
    expect(last.content.map((b) => b.type)).toEqual(["image", "text"]);
    expect(last.content[0]!.source).toEqual({ type: "base64", media_type: "image/jpeg", data: PHOTO_BASE64 });
    expect(last.content[1]!.text).toMatch(/^\(The image above was sent with this message: untrusted content too;/);

    const history = [
      { role: "user" as const, content: "What is in this picture?\n[photo]", seq: 1 },
      { role: "assistant" as const, content: first.ok ? first.text : "", seq: 2 },
    ];
    const second = await rt().runTurn(turn("And the colours?", { history }));
    expect(second.ok).toBe(true);
    const later = fake.answered().at(-1)!.body.messages as { content: { type: string }[] }[];
    expect(later.flatMap((m) => m.content.map((b) => b.type))).toEqual(["text", "text", "text"]);
  });

  it("is refused by the API when the bytes are not the declared format, and the turn fails plainly", async () => {
    const r = await rt().runTurn(turn("look", { images: [{ mediaType: "image/png", data: PHOTO_BASE64 }] }));
    expect(r.ok).toBe(false);
    expect(fake.requests.at(-1)!.status).toBe(400);
    expect(!r.ok && r.error).toContain("Image does not match the provided media type image/png");
  });
});
