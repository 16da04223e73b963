/**
 * The fake platform that receives replies: a real HTTP server on 127.0.0.1 that checks each
 * reply's signature (the generic webhook scheme), records it by the message it answers
 * (`inReplyTo`) and its delivery id, and wakes whoever waits for that reply. It is how the
 * bench counts lost and duplicated replies.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Reply {
  deliveryId: string;
  text: string;
  /** performance.now() when the reply arrived. */
  at: number;
}

export interface SinkCounts {
  /** Replies accepted (signature valid). */
  replies: number;
  /** Messages answered more than once, by distinct deliveries: the gateway sent two replies. */
  duplicateReplies: number;
  /** The same delivery id received again (a retry after a lost 200); receivers dedupe these. */
  redeliveries: number;
  /** Requests rejected for a missing or wrong signature, or an unparsable body. */
  rejected: number;
}

function validSignature(secret: string, timestamp: string | undefined, signature: string | undefined, body: string): boolean {
  if (!timestamp || !signature?.startsWith("sha256=")) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex"));
  const given = Buffer.from(signature.slice("sha256=".length));
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export async function startReplySink(port = 0) {
  const secrets = new Map<string, string>();
  const byMessage = new Map<string, Reply[]>();
  const deliveries = new Map<string, number>();
  const waiters = new Map<string, (reply: Reply) => void>();
  const counts: SinkCounts = { replies: 0, duplicateReplies: 0, redeliveries: 0, rejected: 0 };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString("utf8");
      const secret = secrets.get(req.url ?? "");
      const header = (name: string) => req.headers[name] as string | undefined;
      let parsed: { inReplyTo?: unknown; text?: unknown } = {};
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // rejected below
      }
      const deliveryId = header("x-loopgate-delivery");
      if (
        !secret ||
        !deliveryId ||
        typeof parsed.inReplyTo !== "string" ||
        typeof parsed.text !== "string" ||
        !validSignature(secret, header("x-loopgate-timestamp"), header("x-loopgate-signature"), body)
      ) {
        counts.rejected++;
        res.writeHead(401, { "content-type": "application/json" }).end('{"error":"bad reply"}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      const seen = deliveries.get(deliveryId) ?? 0;
      deliveries.set(deliveryId, seen + 1);
      if (seen > 0) {
        counts.redeliveries++;
        return;
      }
      counts.replies++;
      const reply: Reply = { deliveryId, text: parsed.text, at };
      const list = byMessage.get(parsed.inReplyTo) ?? [];
      list.push(reply);
      byMessage.set(parsed.inReplyTo, list);
      if (list.length > 1) counts.duplicateReplies++;
      waiters.get(parsed.inReplyTo)?.(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    /** Accepts replies POSTed to `url + path`, signed with `secret`. */
    route(path: string, secret: string): string {
      secrets.set(path, secret);
      return `${url}${path}`;
    },
    /** Resolves with the first reply to `messageId`, or null after `timeoutMs`. */
    waitForReply(messageId: string, timeoutMs: number): Promise<Reply | null> {
      const first = byMessage.get(messageId)?.[0];
      if (first) return Promise.resolve(first);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(messageId);
          resolve(null);
        }, timeoutMs);
        // A wait nobody awaits any more (its POST was never acknowledged) must not hold the process open.
        timer.unref();
        waiters.set(messageId, (reply) => {
          clearTimeout(timer);
          waiters.delete(messageId);
          resolve(reply);
        });
      });
    },
    repliesTo(messageId: string): Reply[] {
      return byMessage.get(messageId) ?? [];
    },
    counts: (): SinkCounts => ({ ...counts }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ReplySink = Awaited<ReturnType<typeof startReplySink>>;
