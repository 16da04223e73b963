/**
 * The bridge's side of the file hand-over: a message's files are written down with it, uploaded
 * before it is sent (token and type as the gateway checks them), kept while the gateway cannot
 * take them (5xx, unreachable) and sent described only when it refuses them for good (413).
 * Signal's attachments are read only from signal-cli's folder.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeSignalAttachments, readSignalAttachments } from "./channels/signal/attachments";
import { InboundOutbox } from "./inbound-outbox";
import { uploadEntryFiles } from "./media-upload";

const TOKEN = "lgb_testtoken";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe("uploading a message's files", () => {
  let server: Server;
  let url = "";
  /** What the fake gateway answers next, and what it received. */
  const answers: number[] = [];
  const received: { auth?: string; type?: string; channelId: string | null; bytes: Buffer }[] = [];
  const dir = mkdtempSync(join(tmpdir(), "loopgate-upload-"));

  beforeAll(async () => {
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => {
        const status = answers.shift() ?? 201;
        received.push({
          auth: req.headers.authorization,
          type: req.headers["content-type"],
          channelId: new URL(req.url ?? "/", "http://x").searchParams.get("channelId"),
          bytes: Buffer.concat(parts),
        });
        const body = status === 201 ? { reference: `bridge-media:bridge-in/ch_1/${received.length}`, size: 11 } : { error: `status ${status}` };
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const outbox = () => new InboundOutbox(dir);
  const message = (attachments: { type: string; name?: string }[]) => ({ senderId: "+1555", platformMessageId: `m${Math.random()}`, text: "", attachments });
  const upload = (box: InboundOutbox, id: string) => {
    const entry = box.list().find((e) => e.id === id)!;
    const files = new Map((entry.files ?? []).map((f) => [f.index, f]));
    return uploadEntryFiles(entry, { url, token: TOKEN, readFile: (i) => box.readFile(files.get(i)!), warn: () => {} });
  };

  it("writes the bytes with the message, uploads them with the token and type, and fills in the reference", async () => {
    const box = outbox();
    const { entry } = box.add("ch_1", message([{ type: "image/png", name: "a.png" }]), [{ index: 0, bytes: PNG }]);
    expect(entry.files).toHaveLength(1);
    const result = await upload(box, entry.id);
    expect(result).toEqual({
      message: expect.objectContaining({ attachments: [{ type: "image/png", name: "a.png", url: expect.stringMatching(/^bridge-media:/), size: 11 }] }),
    });
    expect(received.at(-1)).toMatchObject({ auth: `Bearer ${TOKEN}`, type: "image/png", channelId: "ch_1" });
    expect(new Uint8Array(received.at(-1)!.bytes)).toEqual(PNG);
    // Settled: the entry carries the reference and the bytes are gone from the disk.
    const settled = box.settleFiles(entry, "message" in result ? result.message : entry.message);
    expect(
      outbox()
        .list()
        .find((e) => e.id === entry.id),
    ).toEqual(settled);
    expect(box.readFile(entry.files![0]!)).toBeNull();
    box.remove(entry.id);
  });

  it("keeps the message while the gateway cannot take the file, and tries again", async () => {
    const box = outbox();
    const { entry } = box.add("ch_1", message([{ type: "image/png" }]), [{ index: 0, bytes: PNG }]);
    answers.push(503);
    expect(await upload(box, entry.id)).toEqual({ retry: expect.stringMatching(/HTTP 503/) });
    // Still on disk, bytes included, after a restart.
    const reopened = outbox();
    expect(reopened.list().find((e) => e.id === entry.id)?.files).toHaveLength(1);
    expect(await upload(reopened, entry.id)).toMatchObject({ message: { attachments: [{ url: expect.stringMatching(/^bridge-media:/) }] } });
    reopened.remove(entry.id);
    expect(reopened.list().find((e) => e.id === entry.id)).toBeUndefined();
  });

  it("sends a file the gateway refuses for good described only, with its size", async () => {
    const box = outbox();
    const { entry } = box.add("ch_1", message([{ type: "image/png", name: "big.png" }]), [{ index: 0, bytes: PNG }]);
    answers.push(413);
    expect(await upload(box, entry.id)).toEqual({ message: expect.objectContaining({ attachments: [{ type: "image/png", name: "big.png", size: 11 }] }) });
    box.remove(entry.id);
  });

  it("treats an unreachable gateway as a retry", async () => {
    const box = outbox();
    const { entry } = box.add("ch_1", message([{ type: "image/png" }]), [{ index: 0, bytes: PNG }]);
    const e = box.list().find((x) => x.id === entry.id)!;
    const result = await uploadEntryFiles(e, { url: "http://127.0.0.1:1", token: TOKEN, readFile: () => PNG, warn: () => {} });
    expect(result).toEqual({ retry: expect.stringMatching(/unreachable/) });
    box.remove(entry.id);
  });
});

describe("Signal attachments", () => {
  const root = mkdtempSync(join(tmpdir(), "loopgate-signal-files-"));
  const folder = join(root, "attachments");
  mkdirSync(folder);
  writeFileSync(join(folder, "AbC123"), PNG);
  writeFileSync(join(root, "secret"), "not an attachment");
  symlinkSync(join(root, "secret"), join(folder, "Link1"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("describes what signal-cli reports and reads the files the model would read, from the folder only", () => {
    const listed = [
      { contentType: "image/png", filename: "a.png", id: "AbC123", size: 11 },
      { contentType: "image/png", id: "../secret", size: 5 },
      { contentType: "image/png", id: "Link1", size: 5 },
      { contentType: "video/mp4", filename: "clip.mp4", id: "AbC123", size: 11 },
      { contentType: "image/png", id: "Missing", size: 5 },
    ];
    const described = describeSignalAttachments(listed);
    expect(described[0]).toEqual({ type: "image/png", name: "a.png", size: 11 });
    const warnings: string[] = [];
    const files = readSignalAttachments(listed, described, folder, (_m, d) => warnings.push(String(d.error)));
    // Only the real file: not a climb out, not a symlink, not a video (named only), not a missing one.
    expect(files).toEqual([{ index: 0, bytes: PNG }]);
    expect(warnings).toEqual(["not a plain attachment id", "ELOOP", "ENOENT"]);
  });
});
