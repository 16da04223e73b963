/**
 * `npm start` as the media end-to-end tests run it: the fake Messages API for the model, and on
 * the platform fake's own server a fake Workers AI under /client/v4 (the REST route the gateway
 * transcribes voice notes through, test/fakes/speech-to-text.ts), so one port serves both.
 * Call it inside the test file's `describe`: it registers the hooks that start and stop them.
 */
import { afterAll, beforeAll } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-messages";
import { createSpeechToTextFake } from "../fakes/speech-to-text";
import { platformGateway } from "./platform-gateway";

export interface MediaGatewayOptions {
  port: number;
  /** The Anthropic API key the fake checks. */
  apiKey: string;
  /** The Cloudflare account and Workers AI token the speech-to-text fake checks. */
  cloudflare: { accountId: string; apiToken: string };
  /** The platform's fake API. */
  platform: (request: Request) => Promise<Response>;
}

export function mediaGateway(o: MediaGatewayOptions) {
  let anthropic: FakeAnthropic | undefined;
  const speech = createSpeechToTextFake({ ...o.cloudflare, openAiKey: "unused" });
  beforeAll(async () => {
    anthropic = await startFakeAnthropic({ apiKey: o.apiKey, minCacheableTokens: 256 });
  });
  afterAll(async () => {
    await anthropic?.close();
  });
  const model = () => {
    if (!anthropic) throw new Error("the fake Messages API starts in beforeAll");
    return anthropic;
  };
  const platform = platformGateway({
    port: o.port,
    fake: () => (request: Request) => (new URL(request.url).pathname.startsWith("/client/v4/") ? speech.handle(request) : o.platform(request)),
    env: () => ({
      ANTHROPIC_API_KEY: o.apiKey,
      ANTHROPIC_BASE_URL: model().url,
      AGENT_RETRY_BASE_MS: "50",
      CLOUDFLARE_ACCOUNT_ID: o.cloudflare.accountId,
      CLOUDFLARE_AI_TOKEN: o.cloudflare.apiToken,
      CLOUDFLARE_API_BASE_URL: `${platform.fakeUrl}/client/v4`,
    }),
  });
  return { platform, speech, model };
}
