/**
 * A real HTTP server on 127.0.0.1 that records what it receives and answers with scripted
 * statuses: the callback receiver for webhook replies, and the base for platform fakes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** The body's bytes as sent (multipart uploads are binary; `body` is their UTF-8 reading). */
  raw: Buffer;
  at: number;
}

export type Handler = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

export async function startReceiver(handler?: Handler) {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks);
      const entry = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: raw.toString(), raw, at: Date.now() };
      received.push(entry);
      if (handler) await handler(entry, res);
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
