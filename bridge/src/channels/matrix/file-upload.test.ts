/**
 * Files the agent sends, on Matrix (file-upload.ts): the upload to the media repository as the
 * spec defines it (bearer token, the type as Content-Type, `filename`, `content_uri` back, its
 * errors), the attachment encryption of encrypted rooms checked by decrypting with the
 * EncryptedFile's own key and IV and its SHA-256, and the m.image / m.file content.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptAttachment, fileEventContent, uploadMedia } from "./file-upload";

const PNG = Uint8Array.from(Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"));
const TOKEN = "syt_Ym90_fakeAccessToken_0001";

/** A media repository as the spec's POST /_matrix/media/v3/upload: auth, a body, a content_uri. */
function mediaRepo(answer?: Response) {
  const uploads: { filename: string | null; type: string | null; bytes: Uint8Array }[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/_matrix/media/v3/upload") return Response.json({ errcode: "M_UNRECOGNIZED" }, { status: 404 });
    if (request.headers.get("authorization") !== `Bearer ${TOKEN}`)
      return Response.json({ errcode: "M_UNKNOWN_TOKEN", error: "Invalid access token" }, { status: 401 });
    if (answer) return answer;
    uploads.push({ filename: url.searchParams.get("filename"), type: request.headers.get("content-type"), bytes: new Uint8Array(await request.arrayBuffer()) });
    return Response.json({ content_uri: `mxc://example.org/upload${uploads.length}` });
  }) as typeof fetch;
  return { fetchFn, uploads };
}

const target = { homeserverUrl: "https://matrix.example.org/", accessToken: TOKEN };
const b64 = (s: string) => Buffer.from(s, "base64");

describe("files on Matrix", () => {
  it("uploads to the media repository with the token, the type and the file name", async () => {
    const repo = mediaRepo();
    expect(await uploadMedia(target, PNG, "image/png", "chart 1.png", repo.fetchFn)).toEqual({ ok: true, contentUri: "mxc://example.org/upload1" });
    expect(repo.uploads).toEqual([{ filename: "chart 1.png", type: "image/png", bytes: PNG }]);
    expect(await uploadMedia({ ...target, accessToken: "syt_wrong_token" }, PNG, "image/png", "a.png", repo.fetchFn)).toMatchObject({
      ok: false,
      retryable: false,
    });
  });

  it("retries a rate limit or a server error, not M_TOO_LARGE", async () => {
    const limited = mediaRepo(Response.json({ errcode: "M_LIMIT_EXCEEDED", retry_after_ms: 2000 }, { status: 429 }));
    expect(await uploadMedia(target, PNG, "image/png", "a.png", limited.fetchFn)).toMatchObject({ ok: false, retryable: true });
    const large = mediaRepo(Response.json({ errcode: "M_TOO_LARGE", error: "Cannot upload files larger than 50M" }, { status: 413 }));
    expect(await uploadMedia(target, PNG, "image/png", "a.png", large.fetchFn)).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining("M_TOO_LARGE"),
    });
  });

  it("encrypts an attachment as the spec's EncryptedFile: AES-256-CTR, counter from zero, SHA-256 of the ciphertext", async () => {
    const { ciphertext, info } = await encryptAttachment(PNG);
    expect(info).toMatchObject({ key: { kty: "oct", alg: "A256CTR", key_ops: ["encrypt", "decrypt"], ext: true }, v: "v2" });
    expect(Buffer.from(ciphertext)).not.toEqual(Buffer.from(PNG));
    // Unpadded base64, a 16-byte IV whose low 64 bits are zero, a 256-bit key.
    expect(info.iv).not.toContain("=");
    const iv = b64(info.iv);
    expect(iv).toHaveLength(16);
    expect([...iv.subarray(8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Buffer.from(info.key.k, "base64url")).toHaveLength(32);
    expect(info.hashes.sha256).toBe(createHash("sha256").update(ciphertext).digest("base64").replace(/=+$/, ""));
    // A receiving client decrypts it with what the event carries.
    const key = await crypto.subtle.importKey("jwk", info.key, { name: "AES-CTR" }, false, ["decrypt"]);
    const plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CTR", counter: Uint8Array.from(iv), length: 64 }, key, ciphertext));
    expect(plain).toEqual(PNG);
  });

  it("names the file in an m.image or m.file event, in the thread answered", () => {
    const png = { name: "chart.png", mediaType: "image/png", bytes: PNG };
    const thread = { rel_type: "m.thread", event_id: "$root", is_falling_back: true };
    expect(fileEventContent(png, { url: "mxc://example.org/a" }, thread)).toEqual({
      msgtype: "m.image",
      body: "chart.png",
      filename: "chart.png",
      info: { mimetype: "image/png", size: PNG.length },
      url: "mxc://example.org/a",
      "m.mentions": {},
      "m.relates_to": thread,
    });
    const csv = { name: "totals.csv", mediaType: "text/plain", bytes: Uint8Array.from(Buffer.from("a,b\n")) };
    const content = fileEventContent(csv, { file: { url: "mxc://example.org/b" } as never });
    expect(content).toMatchObject({ msgtype: "m.file", file: { url: "mxc://example.org/b" } });
    expect(content).not.toHaveProperty("url");
    expect(content).not.toHaveProperty("m.relates_to");
  });
});
