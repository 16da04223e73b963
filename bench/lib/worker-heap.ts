/**
 * The Worker's own JavaScript heap, read through the DevTools protocol that `wrangler dev`
 * serves (`npm start` with LOOPGATE_INSPECTOR_PORT). workerd's resident memory also holds what
 * only the local simulation keeps in the process (D1, R2 and every Durable Object's SQLite, their
 * page caches); the JavaScript heap is the part a leak in our code would grow. In local workerd
 * the Worker and its Durable Objects share one isolate, so this is all of it.
 *
 * Quirks this works around: wrangler's inspector proxy refuses the handshake of Node's own
 * WebSocket (so `ws`) and serves one DevTools client at a time (so one connection for the whole
 * run). A forced `HeapProfiler.collectGarbage` before each reading would be cleaner, but workerd
 * answers it only once another message arrives and after a few rounds stops answering at all,
 * so the heap is read as the Worker's own collections leave it: a leak shows as a rising floor.
 */
import WebSocket from "ws";

export interface WorkerHeap {
  /** Bytes in use (live objects and garbage not yet collected). */
  usedBytes: number;
  /** Bytes the heap has reserved. */
  totalBytes: number;
}

export interface WorkerHeapReader {
  read: () => Promise<WorkerHeap>;
  close: () => void;
}

const POKE_ID = 1;

/** Connects to the inspector of the Worker `wrangler dev` serves with `--inspector-port port`. */
export async function openWorkerHeap(port: number): Promise<WorkerHeapReader> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no Worker to inspect on port ${port}`);
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", (error) => reject(new Error(`cannot connect to ${url}: ${error.message}`)));
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on("message", (data: WebSocket.RawData) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const w = msg.id === undefined ? undefined : waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id!);
    if (msg.error) w.reject(new Error(msg.error.message));
    else w.resolve(msg.result);
  });
  let nextId = 7_000_000;
  const call = (method: string): Promise<unknown> => {
    const id = nextId++;
    const answer = new Promise<unknown>((resolve, reject) => waiting.set(id, { resolve, reject }));
    ws.send(JSON.stringify({ id, method, params: {} }));
    return answer;
  };
  /** An answer can wait for the next incoming message (see above): poke until it comes. */
  const poked = async <T>(work: Promise<T>): Promise<T> => {
    const poke = setInterval(() => ws.send(JSON.stringify({ id: POKE_ID, method: "Runtime.getHeapUsage", params: {} })), 250);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the Worker's inspector did not answer in 30 s")), 30_000).unref());
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearInterval(poke);
    }
  };
  return {
    read: async () => {
      const usage = await poked(call("Runtime.getHeapUsage"));
      const { usedSize, totalSize } = usage as { usedSize: number; totalSize: number };
      return { usedBytes: usedSize, totalBytes: totalSize };
    },
    close: () => ws.close(),
  };
}
