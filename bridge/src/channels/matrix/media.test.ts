/**
 * Matrix files on the bridge: what a file message declares (type, size, name, caption, voice,
 * the encrypted `file` or plain `url`), the authenticated download from the fake homeserver
 * (token checked), and the encrypted attachment's SHA-256 check and AES-CTR decryption.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMatrixEvent } from "../../../../src/channels/matrix/inbound";
import { type MatrixHomeserver, startMatrixHomeserver } from "../../../../test/support/matrix-homeserver";
import { decryptAttachment, downloadMatrixMedia, encryptAttachment } from "./media";

const PORT = 10501;
const TOKEN = "syt_Ym90_mediatesttoken01";
const bot = { userId: "@loopbot:fake.test", displayName: "Loopbot" };
const dm = { direct: true, senderName: "Alice" };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4]);

const event = (content: Record<string, unknown>) => ({ eventId: "$e1", roomId: "!r:fake.test", sender: "@alice:fake.test", type: "m.room.message", content });

describe("reading a Matrix file message", () => {
  it("takes type, size and name from the event, and the plain url as the source", () => {
    const out = readMatrixEvent(
      event({ msgtype: "m.image", body: "cat.png", url: "mxc://fake.test/abc", info: { mimetype: "image/png", size: 20, w: 1, h: 1 } }),
      dm,
      bot,
    );
    expect(out).toMatchObject({
      kind: "message",
      message: { text: "", attachments: [{ type: "image/png", name: "cat.png", size: 20 }] },
      media: { mxc: "mxc://fake.test/abc" },
    });
  });

  it("reads an encrypted room's `file`, and a body beside `filename` as the caption", async () => {
    const { file } = await encryptAttachment(PNG, "mxc://fake.test/enc");
    const out = readMatrixEvent(event({ msgtype: "m.image", body: "what is this?", filename: "photo.png", file, info: { mimetype: "image/png" } }), dm, bot);
    expect(out).toMatchObject({
      kind: "message",
      message: { text: "what is this?", attachments: [{ type: "image/png", name: "photo.png" }] },
      media: { mxc: "mxc://fake.test/enc", encrypted: { iv: file.iv } },
    });
  });

  it("flags a voice message (MSC3245) with its duration", () => {
    const out = readMatrixEvent(
      event({
        msgtype: "m.audio",
        body: "Voice message",
        url: "mxc://fake.test/voice",
        info: { mimetype: "audio/ogg", size: 4000, duration: 2500 },
        "org.matrix.msc1767.audio": { duration: 2500 },
        "org.matrix.msc3245.voice": {},
      }),
      dm,
      bot,
    );
    expect(out).toMatchObject({ message: { attachments: [{ type: "audio/ogg", voice: true, durationSeconds: 2.5, size: 4000 }] } });
    const plainAudio = readMatrixEvent(event({ msgtype: "m.audio", body: "song.mp3", url: "mxc://fake.test/s", info: { mimetype: "audio/mpeg" } }), dm, bot);
    expect(plainAudio.kind === "message" && plainAudio.message.attachments?.[0]?.voice).toBeFalsy();
  });
});

describe("encrypted attachments", () => {
  it("decrypts what a client encrypted", async () => {
    const { ciphertext, file } = await encryptAttachment(PNG, "mxc://fake.test/x");
    expect(ciphertext).not.toEqual(PNG);
    expect(await decryptAttachment(ciphertext, file)).toEqual({ ok: true, bytes: PNG });
  });

  it("refuses a ciphertext whose SHA-256 is not the event's, and keys it cannot use", async () => {
    const { ciphertext, file } = await encryptAttachment(PNG, "mxc://fake.test/x");
    const tampered = ciphertext.slice();
    tampered[0]! ^= 1;
    expect(await decryptAttachment(tampered, file)).toMatchObject({ ok: false, error: expect.stringMatching(/SHA-256/) });
    expect(await decryptAttachment(ciphertext, { ...file, v: "v1" })).toMatchObject({ ok: false });
    expect(await decryptAttachment(ciphertext, { ...file, key: { ...file.key, alg: "A128CTR" } })).toMatchObject({ ok: false });
    expect(await decryptAttachment(ciphertext, { ...file, hashes: {} })).toMatchObject({ ok: false });
  });
});

describe("downloading from the homeserver", () => {
  let hs: MatrixHomeserver;
  beforeAll(async () => {
    hs = await startMatrixHomeserver(PORT);
    hs.addUser("loopbot", "Loopbot", "BOTDEVICE", TOKEN);
  });
  afterAll(() => hs.close());

  it("fetches plain media with the access token from the authenticated endpoint", async () => {
    const mxc = hs.addMedia(PNG, "image/png");
    expect(await downloadMatrixMedia({ homeserverUrl: hs.url, accessToken: TOKEN, source: { mxc }, maxBytes: 1000 })).toEqual({ ok: true, bytes: PNG });
    expect(hs.calls.at(-1)).toMatchObject({ path: expect.stringMatching(/^\/_matrix\/client\/v1\/media\/download\/fake\.test\//), status: 200 });
    // The fake checks the token as a homeserver does.
    expect(await downloadMatrixMedia({ homeserverUrl: hs.url, accessToken: "syt_wrong", source: { mxc }, maxBytes: 1000 })).toMatchObject({ ok: false });
    expect(hs.calls.at(-1)?.status).toBe(401);
  });

  it("downloads and decrypts encrypted media, and stops at the limit", async () => {
    const { ciphertext, file } = await encryptAttachment(PNG, "");
    const mxc = hs.addMedia(ciphertext, "application/octet-stream");
    const source = { mxc, encrypted: { ...file, url: mxc } };
    expect(await downloadMatrixMedia({ homeserverUrl: hs.url, accessToken: TOKEN, source, maxBytes: 1000 })).toEqual({ ok: true, bytes: PNG });
    expect(await downloadMatrixMedia({ homeserverUrl: hs.url, accessToken: TOKEN, source, maxBytes: 10 })).toMatchObject({
      ok: false,
      error: /over the limit/,
    });
    expect(await downloadMatrixMedia({ homeserverUrl: hs.url, accessToken: TOKEN, source: { mxc: "mxc://fake.test/missing" }, maxBytes: 10 })).toMatchObject({
      ok: false,
    });
  });
});
