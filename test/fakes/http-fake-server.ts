/**
 * Serves a web-standard fake (`(Request) => Promise<Response>`) on 127.0.0.1 for end-to-end
 * tests; the same fake runs inside workerd for Worker-layer tests through a fetch spy.
 */
import { startReceiver } from "../support/http-receiver";

export type FetchHandler = (request: Request) => Promise<Response>;

export async function serveFake(handle: FetchHandler) {
  const receiver = await startReceiver(async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    // The Host header keeps the port: fakes that hand out URLs on themselves (Slack's upload URL) build them from it.
    const host = typeof req.headers.host === "string" && /^127\.0\.0\.1:\d+$/.test(req.headers.host) ? req.headers.host : "127.0.0.1";
    const response = await handle(
      new Request(`http://${host}${req.path}`, { method: req.method, headers, body: hasBody ? new Uint8Array(req.raw) : undefined }),
    );
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => (out[name] = value));
    res.writeHead(response.status, out);
    // Bytes, not text: fakes also serve files (Telegram photos).
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  return { url: receiver.url, close: receiver.close };
}
