/**
 * The runner's only way out of its container: JSON lines on stdout to the bridge, JSON lines
 * back on stdin. The container has no network, so a model call is a `model` line answered by
 * a `model.result` line; the bridge adds the API key on its side, never on this channel.
 */
import { createInterface } from "node:readline";

export type Json = Record<string, unknown>;

export interface StdioLink {
  /** The next line from the bridge, or null when stdin closed (the bridge is gone: stop). */
  next(): Promise<Json | null>;
  send(frame: Json): void;
}

export function stdioLink(): StdioLink {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const queued: Json[] = [];
  const waiting: ((frame: Json | null) => void)[] = [];
  let closed = false;
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let frame: Json;
    try {
      frame = JSON.parse(line) as Json;
    } catch {
      process.stderr.write("runner: ignored a line that is not JSON\n");
      return;
    }
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else queued.push(frame);
  });
  lines.on("close", () => {
    closed = true;
    for (const waiter of waiting.splice(0)) waiter(null);
  });
  return {
    next() {
      const frame = queued.shift();
      if (frame) return Promise.resolve(frame);
      if (closed) return Promise.resolve(null);
      return new Promise((resolve) => waiting.push(resolve));
    },
    send(frame) {
      process.stdout.write(`${JSON.stringify(frame)}\n`);
    },
  };
}
