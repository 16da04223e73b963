/**
 * "… is typing" on the Matrix channel: through a real matrix-js-sdk client against the fake
 * homeserver (which checks the token, the user in the path and the body as Synapse does), the
 * notice is `{"typing": true, "timeout": 30000}` when the message is handed on and
 * `{"typing": false}` when the reply stops it; on fake timers, it is renewed every 20 s (the
 * spec: "no more than 20-30 seconds", 5 s before the timeout runs out) and ends after two minutes.
 */
import { createClient, type MatrixClient } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type MatrixHomeserver, startMatrixHomeserver } from "../../../../test/support/matrix-homeserver";
import { quietSdkGlobalLogger } from "./sdk";
import { matrixTyping } from "./typing";

const BOT_TOKEN = "syt_bot_typing_test";
const OTHER_TOKEN = "syt_other_typing_test";

let hs: MatrixHomeserver;
let bot: MatrixClient;
let botId: string;

async function createRoom(token: string): Promise<string> {
  const res = await fetch(`${hs.url}/_matrix/client/v3/createRoom`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "typing" }),
  });
  return ((await res.json()) as { room_id: string }).room_id;
}

beforeAll(async () => {
  quietSdkGlobalLogger();
  hs = await startMatrixHomeserver(0);
  botId = hs.addUser("loopgate", "Loopgate", "BOTDEVICE", BOT_TOKEN);
  hs.addUser("other", "Other", "OTHERDEVICE", OTHER_TOKEN);
  bot = createClient({ baseUrl: hs.url, userId: botId, deviceId: "BOTDEVICE", accessToken: BOT_TOKEN });
});
afterAll(async () => {
  await hs?.close();
});

describe("Matrix typing indicator", () => {
  it("PUTs typing true with a 30 s timeout at once, then typing false when the reply goes out", async () => {
    const roomId = await createRoom(BOT_TOKEN);
    const typing = matrixTyping(() => bot);
    typing.start(roomId);
    await vi.waitFor(() => expect(hs.typing).toContainEqual({ roomId, userId: botId, typing: true, timeout: 30_000 }));
    const put = hs.calls.find((c) => c.path === `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(botId)}`);
    expect(put).toMatchObject({ method: "PUT", status: 200 });

    typing.stop(roomId);
    await vi.waitFor(() =>
      expect(hs.typing.filter((t) => t.roomId === roomId)).toEqual([
        { roomId, userId: botId, typing: true, timeout: 30_000 },
        { roomId, userId: botId, typing: false },
      ]),
    );
  });

  it("in a room the bot is not in, the homeserver refuses it (403) and nothing fails or is recorded", async () => {
    const roomId = await createRoom(OTHER_TOKEN);
    const typing = matrixTyping(() => bot);
    typing.start(roomId);
    await vi.waitFor(() => expect(hs.calls.some((c) => c.path.includes(encodeURIComponent(roomId)) && c.status === 403)).toBe(true));
    typing.stop(roomId);
    await vi.waitFor(() => expect(hs.calls.filter((c) => c.path.includes(encodeURIComponent(roomId)) && c.status === 403)).toHaveLength(2));
    expect(hs.typing.filter((t) => t.roomId === roomId)).toEqual([]);
  });

  it("renews every 20 s while the turn runs and gives up after two minutes with typing false", async () => {
    vi.useFakeTimers();
    try {
      const sent: [string, boolean, number][] = [];
      const typing = matrixTyping(() => ({ sendTyping: async (roomId: string, on: boolean, timeoutMs: number) => (sent.push([roomId, on, timeoutMs]), {}) }));
      typing.start("!room:fake.test");
      await vi.advanceTimersByTimeAsync(19_999);
      expect(sent).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(sent).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(sent.filter(([, on]) => on)).toHaveLength(1 + 120_000 / 20_000);
      expect(sent.at(-1)).toEqual(["!room:fake.test", false, 30_000]);
      expect(typing.isActive("!room:fake.test")).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("while the client restarts (null) nothing is sent and nothing throws", async () => {
    const typing = matrixTyping(() => null);
    typing.start("!room:fake.test");
    typing.stop("!room:fake.test");
    expect(typing.isActive("!room:fake.test")).toBe(false);
  });
});
