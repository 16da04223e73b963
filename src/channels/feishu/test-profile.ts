/**
 * Feishu / Lark for the shared channel tests, with an Encrypt Key as the setup guide advises:
 * the event goes on the wire AES-256-CBC encrypted as `{"encrypt": ...}`, with X-Lark-Signature
 * = SHA-256 of timestamp + nonce + encrypt key + body; the Verification Token rides inside.
 * The documented events carry the channel's token, app id and bot open_id.
 */
import type { ChannelTestProfile } from "../../../test/support/channel-test-profile";
import groupMention from "./fixtures/message-receive-group-mention.json";
import p2p from "./fixtures/message-receive-p2p.json";
import urlVerification from "./fixtures/url-verification.json";
import { encryptLark, LARK_NONCE_HEADER, LARK_SIGNATURE_HEADER, LARK_TIMESTAMP_HEADER, larkSignature } from "./security";

/** The group fixture's token (the documented url_verification's `xxxxxx` is shorter than Feishu issues). */
const VERIFICATION_TOKEN = groupMention.header.token;
const BOT_OPEN_ID = groupMention.event.message.mentions[0]!.id.open_id;

const profile: ChannelTestProfile = {
  type: "feishu",
  samples: [{ ...urlVerification, token: VERIFICATION_TOKEN }, p2p, groupMention],
  async prepare() {
    const encryptKey = `encrypt-key-${crypto.randomUUID()}`;
    return {
      config: {
        appId: groupMention.header.app_id,
        appSecret: `app-secret-${crypto.randomUUID()}`,
        verificationToken: VERIFICATION_TOKEN,
        encryptKey,
        botOpenId: BOT_OPEN_ID,
        apiBase: "https://feishu.unreachable",
      },
      seal: async (body) => JSON.stringify({ encrypt: await encryptLark(encryptKey, body) }),
      async sign(body, nowMs) {
        const timestamp = String(Math.floor(nowMs / 1000));
        const nonce = crypto.randomUUID();
        return {
          "content-type": "application/json",
          [LARK_TIMESTAMP_HEADER]: timestamp,
          [LARK_NONCE_HEADER]: nonce,
          [LARK_SIGNATURE_HEADER]: await larkSignature(timestamp, nonce, encryptKey, body),
        };
      },
    };
  },
};

export default [profile];
