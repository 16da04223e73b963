/**
 * Discord for the shared channel tests: interactions are signed with the application's Ed25519 key.
 * The gateway variant is bridged (no webhook); its bot token and REST root matter for the redirect rule.
 */
import { TEST_BRIDGE_ID, type ChannelTestProfile } from "../../../test/support/channel-test-profile";
import ask from "./fixtures/ask.json";
import pairDm from "./fixtures/pair-dm.json";
import ping from "./fixtures/ping.json";
import { DISCORD_SIGNATURE_HEADER, DISCORD_TIMESTAMP_HEADER } from ".";

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

const profile: ChannelTestProfile = {
  type: "discord",
  samples: [ask, pairDm, ping],
  async prepare() {
    const keys = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const publicKey = hex((await crypto.subtle.exportKey("raw", keys.publicKey)) as ArrayBuffer);
    return {
      config: { applicationId: "123456789012345678", publicKey, botToken: `bot-token-${crypto.randomUUID()}`, apiBase: "https://discord.unreachable/api/v10" },
      async sign(body, nowMs) {
        const timestamp = String(Math.floor(nowMs / 1000));
        const signature = hex(await crypto.subtle.sign("Ed25519", keys.privateKey, new TextEncoder().encode(timestamp + body)));
        return { "content-type": "application/json", [DISCORD_SIGNATURE_HEADER]: signature, [DISCORD_TIMESTAMP_HEADER]: timestamp };
      },
    };
  },
};

const gateway: ChannelTestProfile = {
  type: "discord-gateway",
  samples: [],
  prepare: async () => ({
    config: { bridgeId: TEST_BRIDGE_ID, botToken: `bot-token-${crypto.randomUUID()}`, apiBase: "https://discord.unreachable/api/v10" },
  }),
};

export default [profile, gateway];
