/**
 * A fake `signal-cli -a <account> daemon --tcp`: JSON-RPC 2.0, one JSON object per line
 * (signal-cli-jsonrpc(5)). Incoming Signal messages wait on the "server" until a client is
 * connected, then arrive as `receive` notifications in signal-cli's envelope shape; `send`
 * checks its params as signal-cli does and records what was sent. Attachments are written to
 * the attachments folder under their id, as signal-cli saves them, and described in the
 * envelope as its JsonAttachment does (`contentType`, `filename`, `id`, `size`).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface SentMessage {
  recipient?: string[];
  groupId?: string;
  message: string;
  quoteTimestamp?: number;
  quoteAuthor?: string;
  /** Attachments as signal-cli read them: data URIs decoded (type, file name, bytes). */
  attachments?: { mediaType: string; filename?: string; bytes: Buffer }[];
  at: number;
}

/** signal-cli's `--attachment` data URI (RFC 2397 plus `filename=`); undefined when it is not one. */
function readDataUri(uri: string): { mediaType: string; filename?: string; bytes: Buffer } | undefined {
  const m = /^data:([\w.+-]+\/[\w.+-]+)((?:;[\w-]+=[^;,]*)*);base64,([A-Za-z0-9+/]*={0,2})$/.exec(uri);
  if (!m) return undefined;
  const filename = /;filename=([^;,]*)/.exec(m[2] ?? "")?.[1];
  return { mediaType: m[1]!, ...(filename ? { filename: decodeURIComponent(filename) } : {}), bytes: Buffer.from(m[3] ?? "", "base64") };
}

export interface IncomingMessage {
  from: string;
  name?: string;
  text: string;
  groupId?: string;
  /** Mentioned numbers (the text gets one placeholder per mention at its start). */
  mentions?: string[];
  /** Files as signal-cli saved them; `declaredSize` overrides the size the envelope reports. */
  attachments?: { contentType: string; filename?: string; bytes: Uint8Array; declaredSize?: number }[];
}

/** A `sendTyping` signal-cli accepted: started (shown 15 s) or `stop: true`. */
export interface TypingNotice {
  recipient?: string[];
  groupId?: string;
  stop: boolean;
  at: number;
}

export async function startFakeSignalCli(account: string, options: { attachmentsDir?: string } = {}) {
  const sent: SentMessage[] = [];
  const typing: TypingNotice[] = [];
  const waiting: string[] = [];
  const clients = new Set<Socket>();
  let clock = Date.now();

  const flush = () => {
    const client = [...clients][0];
    if (!client) return;
    while (waiting.length) client.write(waiting.shift()!);
  };

  const answer = (socket: Socket, id: unknown, body: { result: unknown } | { error: { code: number; message: string } }) =>
    socket.write(`${JSON.stringify({ jsonrpc: "2.0", ...body, id: id ?? null })}\n`);

  const handle = (socket: Socket, line: string) => {
    let req: { jsonrpc?: string; id?: unknown; method?: string; params?: Record<string, unknown> };
    try {
      req = JSON.parse(line) as typeof req;
    } catch {
      return answer(socket, null, { error: { code: -32700, message: "Parse error" } });
    }
    if (req.jsonrpc !== "2.0" || !req.method) return answer(socket, req.id, { error: { code: -32600, message: "method field must be set" } });
    const params = req.params ?? {};
    switch (req.method) {
      case "version":
        return answer(socket, req.id, { result: { version: "0.13.4" } });
      case "send": {
        const recipient = typeof params.recipient === "string" ? [params.recipient] : (params.recipient as string[] | undefined);
        const groupId = params.groupId as string | undefined;
        if (typeof params.message !== "string") return answer(socket, req.id, { error: { code: -32602, message: "Invalid params: message is required" } });
        if (!recipient?.length && !groupId) return answer(socket, req.id, { error: { code: -32602, message: "No recipients given" } });
        if (recipient?.some((r) => !/^(\+[1-9]\d{6,14}|[0-9a-f-]{36})$/.test(r)))
          return answer(socket, req.id, { error: { code: -1, message: "Invalid number" } });
        // Each attachment is a path on the daemon's machine or a data URI; this fake has no files, so only data URIs resolve.
        const given = params.attachments ?? params.attachment;
        const uris = given === undefined ? [] : Array.isArray(given) ? given : [given];
        const attachments = uris.map((u) => (typeof u === "string" ? readDataUri(u) : undefined));
        const broken = uris.findIndex((_u, i) => !attachments[i]);
        if (broken >= 0)
          return answer(socket, req.id, {
            error: { code: -1, message: `Failed to send message: ${String(uris[broken]).slice(0, 40)} (No such file or directory)` },
          });
        sent.push({
          recipient,
          groupId,
          message: params.message,
          quoteTimestamp: params.quoteTimestamp as number | undefined,
          quoteAuthor: params.quoteAuthor as string | undefined,
          ...(attachments.length ? { attachments: attachments as NonNullable<SentMessage["attachments"]> } : {}),
          at: Date.now(),
        });
        const timestamp = ++clock;
        return answer(socket, req.id, {
          result: { timestamp, results: (recipient ?? []).map((number) => ({ recipientAddress: { number }, type: "SUCCESS" })) },
        });
      }
      case "sendTyping": {
        // As SendTypingCommand: recipients and/or a group, at least one; `stop` sends the STOP message.
        const recipient = typeof params.recipient === "string" ? [params.recipient] : (params.recipient as string[] | undefined);
        const groupId = params.groupId as string | undefined;
        if (!recipient?.length && !groupId) return answer(socket, req.id, { error: { code: -1, message: "No recipients given" } });
        if (recipient?.some((r) => !/^(\+[1-9]\d{6,14}|[0-9a-f-]{36})$/.test(r)))
          return answer(socket, req.id, { error: { code: -1, message: "Invalid number" } });
        if (params.stop !== undefined && typeof params.stop !== "boolean")
          return answer(socket, req.id, { error: { code: -32602, message: "Invalid params: stop" } });
        typing.push({ ...(recipient ? { recipient } : {}), ...(groupId ? { groupId } : {}), stop: params.stop === true, at: Date.now() });
        return answer(socket, req.id, {
          result: { timestamp: ++clock, results: (recipient ?? []).map((number) => ({ recipientAddress: { number }, type: "SUCCESS" })) },
        });
      }
      default:
        return answer(socket, req.id, { error: { code: -32601, message: `Method not implemented: ${req.method}` } });
    }
  };

  const server = createServer((socket) => {
    clients.add(socket);
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, i).trim();
        buffer = buffer.slice(i + 1);
        if (line) handle(socket, line);
      }
    });
    socket.on("close", () => clients.delete(socket));
    socket.on("error", () => clients.delete(socket));
    flush();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    sent,
    typing,
    get connected() {
      return clients.size;
    },
    /** A Signal user writes to the account; returns the envelope timestamp. */
    deliver(m: IncomingMessage): number {
      const timestamp = ++clock;
      const mentions = (m.mentions ?? []).map((number, start) => ({ name: number, number, uuid: `uuid-${number.slice(1)}`, start, length: 1 }));
      const text = "\uFFFC".repeat(mentions.length) + m.text;
      const attachments = (m.attachments ?? []).map((a, i) => {
        // signal-cli names the stored file by the attachment's id (a random base64url string).
        const id = `${timestamp.toString(36)}${i}AbCdEfGhIjKl`;
        if (options.attachmentsDir) writeFileSync(join(options.attachmentsDir, id), a.bytes);
        return { contentType: a.contentType, filename: a.filename ?? null, id, size: a.declaredSize ?? a.bytes.byteLength };
      });
      const envelope = {
        source: m.from,
        sourceNumber: m.from,
        sourceUuid: `uuid-${m.from.slice(1)}`,
        sourceName: m.name ?? "",
        sourceDevice: 1,
        timestamp,
        dataMessage: {
          timestamp,
          message: text || null,
          expiresInSeconds: 0,
          viewOnce: false,
          mentions,
          attachments,
          contacts: [],
          ...(m.groupId ? { groupInfo: { groupId: m.groupId, type: "DELIVER" } } : {}),
        },
      };
      waiting.push(`${JSON.stringify({ jsonrpc: "2.0", method: "receive", params: { envelope, account } })}\n`);
      flush();
      return timestamp;
    },
    close: () => {
      for (const c of clients) c.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
