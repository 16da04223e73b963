/**
 * Google Chat end to end: `npm start` as a process and a fake of Google on 127.0.0.1 (Chat's key
 * set, the OAuth token endpoint, spaces.messages.create). Documented events with signed bearer
 * tokens go in; replies come back asynchronously in their threads.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type ChatFake, createChatFake } from "./fake-chat-api";
import dm from "./fixtures/message-dm.json";
import mention from "./fixtures/message-space-mention.json";
import { settleWithControl } from "../../../test/support/after-control";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";
import { chatConfigFor, PROJECT_NUMBER } from "./test-profile";

const PORT = 9151;
const PROJECT = { projectNumber: PROJECT_NUMBER };

describe("Google Chat channel end to end", () => {
  let fake: ChatFake;
  const platform = platformGateway({
    port: PORT,
    fake: async () => {
      fake = await createChatFake();
      return fake.handle;
    },
  });
  beforeAll(() => fake.setBaseUrl(platform.fakeUrl));

  it("verifies Chat's token and answers a DM and a mention in their threads, once each", async () => {
    const { api } = await setupAdmin(platform.gw);
    const { inboundUrl: url } = await createChannelWithSetup(api, {
      type: "google-chat",
      name: "Google Chat",
      policy: "open",
      config: await chatConfigFor(fake, platform.fakeUrl),
    });
    expect((await fake.deliver(url, dm, PROJECT)).status).toBe(200);
    expect((await fake.deliver(url, dm, PROJECT)).status).toBe(200);
    expect((await fake.deliver(url, mention, PROJECT)).status).toBe(200);
    expect((await fake.deliver(url, dm, PROJECT, { token: null })).status).toBe(401);

    await waitFor(async () => fake.state.created.length >= 2, 20_000, "two replies");
    // A fresh message from the same person, answered: the redelivery and the refused one are settled.
    const control = (text: string) => {
      const event = structuredClone(dm);
      Object.assign(event.message, { name: `spaces/AAAAAAAAAAA/messages/${crypto.randomUUID()}`, text, argumentText: text });
      return fake.deliver(url, event, PROJECT);
    };
    await settleWithControl(control, fake.state.created, (c) => c.body.text);
    expect(fake.state.created).toHaveLength(2);
    expect(fake.state.created.find((c) => c.space === "spaces/AAAAAAAAAAA")).toMatchObject({
      body: { thread: dm.message.thread, text: expect.stringContaining("You said: Hello Chat app") },
    });
    expect(fake.state.created.find((c) => c.space === "spaces/AAAAjKaM1AE")?.body.text).toContain("You said: what changed in the release?");
  });
});
