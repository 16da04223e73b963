/**
 * JSON-RPC 2.0 over a line stream (signal-cli's `daemon --tcp` socket or `jsonRpc` stdio):
 * one JSON object per line, requests matched to responses by id, notifications passed on.
 */
import type { Readable, Writable } from "node:stream";

export interface JsonRpcNotification {
  method: string;
  params?: unknown;
}

export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class JsonRpcLines {
  private buffer = "";
  private nextId = 1;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly onNotification: (n: JsonRpcNotification) => void,
    private readonly onGarbage: (line: string) => void = () => undefined,
  ) {
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => this.read(chunk));
  }

  request(method: string, params: Record<string, unknown>, timeoutMs = 30_000): Promise<unknown> {
    const id = `lg-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.output.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  }

  /** The stream ended: every open request fails (the caller decides whether to retry). */
  failAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.dispatch(line);
    }
  }

  private dispatch(line: string): void {
    let msg: { id?: string | number | null; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string } };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      this.onGarbage(line);
      return;
    }
    if (msg.method && (msg.id === undefined || msg.id === null)) {
      this.onNotification({ method: msg.method, params: msg.params });
      return;
    }
    const waiter = msg.id !== undefined && msg.id !== null ? this.pending.get(String(msg.id)) : undefined;
    if (!waiter) return;
    this.pending.delete(String(msg.id));
    if (msg.error) waiter.reject(new JsonRpcError(msg.error.code, msg.error.message));
    else waiter.resolve(msg.result);
  }
}
