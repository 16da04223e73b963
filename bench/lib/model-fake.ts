/**
 * The model for the bench's model cases: the project's caching-aware fake Messages API
 * (test/fakes/anthropic-messages.ts — it checks requests as the API does and measures prompt
 * caching), behind a small proxy on 127.0.0.1 that holds each request for `delayMs` first, so
 * the same fake can stand in for a model that takes 2 s to answer.
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { startFakeAnthropic } from "../../test/fakes/anthropic-messages";

/** The key the gateway is given; the fake accepts only this one. */
export const BENCH_MODEL_KEY = "bench-model-key-not-a-secret";

export interface ModelUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface ModelCall {
  /** Request body size in bytes: what the gateway sent to the model. */
  requestBytes: number;
  usage: ModelUsage;
}

export async function startModelFake(port = 0) {
  const fake = await startFakeAnthropic({ apiKey: BENCH_MODEL_KEY, minCacheableTokens: 1024 });
  const upstream = new URL(fake.url);
  let delayMs = 0;
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      setTimeout(() => {
        const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on("error", (err) => res.writeHead(502, { "content-type": "text/plain" }).end(String(err)));
        forward.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    /** How long each request waits before the fake sees it. */
    setDelay(ms: number) {
      delayMs = ms;
    },
    /** Every request the fake answered with a message, oldest first. */
    calls(): ModelCall[] {
      return fake.answered().map((r) => ({ requestBytes: Buffer.byteLength(r.raw, "utf8"), usage: r.usage as unknown as ModelUsage }));
    },
    async close() {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await fake.close();
    },
  };
}

export type ModelFake = Awaited<ReturnType<typeof startModelFake>>;
