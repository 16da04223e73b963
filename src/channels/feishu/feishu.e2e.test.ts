/**
 * Feishu/Lark end to end: `npm start` as a process and a fake Open API on 127.0.0.1. The fake
 * pushes the documented events encrypted and signed, like Feishu; replies come back to the
 * fake's message reply endpoint.
 */
import { describe, expect, it } from "vitest";
import { createLarkFake } from "./fake-open-api";
import group from "./fixtures/message-receive-group-mention.json";
import p2p from "./fixtures/message-receive-p2p.json";
import urlVerification from "./fixtures/url-verification.json";
import { settleWithControl } from "../../../test/support/after-control";
import { setupAdmin, waitFor } from "../../../test/support/gateway-process";
import { createChannelWithSetup, platformGateway } from "../../../test/support/platform-gateway";

const PORT = 9152;
const APP_SECRET = "e2e-feishu-app-secret-000000";
const ENCRYPT_KEY = "e2e-feishu-encrypt-key";

describe("Feishu channel end to end", () => {
  const fake = createLarkFake({ appId: p2p.header.app_id, appSecret: APP_SECRET, verificationToken: p2p.header.token, encryptKey: ENCRYPT_KEY });
  const platform = platformGateway({ port: PORT, fake: () => fake.handle });

  it("answers the encrypted URL check, a private message and a group mention, once each", async () => {
    const { api } = await setupAdmin(platform.gw);
    const { inboundUrl: url } = await createChannelWithSetup(api, {
      type: "feishu",
      name: "Feishu",
      policy: "open",
      config: { appId: p2p.header.app_id, appSecret: APP_SECRET, verificationToken: p2p.header.token, encryptKey: ENCRYPT_KEY, apiBase: platform.fakeUrl },
    });
    const challenge = await fake.deliver(url, { ...urlVerification, token: p2p.header.token }, { unsigned: true });
    expect(await challenge.json()).toEqual({ challenge: urlVerification.challenge });

    expect((await fake.deliver(url, p2p)).status).toBe(200);
    expect((await fake.deliver(url, p2p)).status).toBe(200);
    expect((await fake.deliver(url, group)).status).toBe(200);
    expect((await fake.deliver(url, p2p, { unsigned: true })).status).toBe(401);

    await waitFor(async () => fake.state.replies.length >= 2, 20_000, "two replies");
    // A fresh message from the same person, answered: the redelivery and the refused one are settled.
    const control = (text: string) => {
      const event = structuredClone(p2p);
      event.header.event_id = crypto.randomUUID().replaceAll("-", "");
      Object.assign(event.event.message, { message_id: `om_${crypto.randomUUID().replaceAll("-", "")}`, content: JSON.stringify({ text }) });
      return fake.deliver(url, event);
    };
    await settleWithControl(control, fake.state.replies, (r) => JSON.stringify(r.content));
    expect(fake.state.replies).toHaveLength(2);
    expect(JSON.stringify(fake.state.replies.find((r) => r.messageId === p2p.event.message.message_id)?.content)).toContain("You said: hello world");
    expect(JSON.stringify(fake.state.replies.find((r) => r.messageId === group.event.message.message_id)?.content)).toContain("You said: summarise the thread");
  });
});
