/**
 * A fake Feishu/Lark Open API as a web-standard handler: tenant_access_token/internal (checks
 * app_id and app_secret), bot/v3/info, and im/v1/messages/{id}/reply (bearer token, msg_type,
 * content as a JSON string, 30 KB post limit, uuid idempotency, the frequency limit as HTTP 429
 * code 99991400 with x-ogw-ratelimit-reset), and im/v1/messages/{id}/resources/{key}?type=image|file
 * (bearer token; the key must belong to that message and `type` must match it, as Feishu checks:
 * code 234003 otherwise; 100 MB at most, code 234037). It also plays Feishu's event push: `deliver`
 * encrypts the event with the Encrypt Key and signs it with X-Lark-Signature.
 */
import { larkSignature, encryptLark } from "./security";

export interface LarkFakeOptions {
  appId: string;
  appSecret: string;
  verificationToken: string;
  encryptKey?: string;
  botOpenId?: string;
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export interface LarkReply {
  messageId: string;
  msgType: string;
  content: Record<string, unknown>;
  uuid?: string;
}

const MAX_POST_BYTES = 30 * 1024;
const MAX_CARD_BYTES = 30 * 1024;
/** The resource API serves files up to 100 MB. */
const MAX_RESOURCE_BYTES = 100 * 1024 * 1024;

interface FakeResource {
  kind: "image" | "file";
  bytes: Uint8Array;
  type: string;
}

export function createLarkFake(options: LarkFakeOptions) {
  const botOpenId = options.botOpenId ?? "ou_bot0000000000000000000000000001";
  const tokens = new Set<string>();
  const failures: number[] = [];
  const byUuid = new Map<string, string>();
  const state = { replies: [] as LarkReply[], tokenRequests: 0, downloads: [] as { messageId: string; key: string; type: string | null; status: number }[] };
  const resources = new Map<string, FakeResource & { bytes: Uint8Array<ArrayBuffer> }>();

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/open-apis/auth/v3/tenant_access_token/internal" && request.method === "POST") {
      state.tokenRequests++;
      const body = (await request.json().catch(() => ({}))) as { app_id?: string; app_secret?: string };
      if (body.app_id !== options.appId || body.app_secret !== options.appSecret) return Response.json({ code: 10014, msg: "app secret invalid" });
      const token = `t-fake${crypto.randomUUID().replaceAll("-", "")}`;
      tokens.add(token);
      return Response.json({ code: 0, msg: "ok", tenant_access_token: token, expire: 7200 });
    }
    const auth = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!auth || !tokens.has(auth))
      return Response.json({ code: 99991663, msg: "Invalid access token for authorization. Please make a request with token attached." }, { status: 400 });
    if (path === "/open-apis/bot/v3/info" && request.method === "GET")
      return Response.json({ code: 0, msg: "ok", bot: { activate_status: 2, app_name: "Loopgate", avatar_url: "", ip_white_list: [], open_id: botOpenId } });
    const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(path);
    if (resource && request.method === "GET") return serveResource(decodeURIComponent(resource[1]!), decodeURIComponent(resource[2]!), request);
    const reply = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
    if (reply && request.method === "POST") {
      const status = failures.shift();
      if (status === 429)
        return Response.json(
          { code: 99991400, msg: "request trigger frequency limit" },
          { status: 429, headers: { "x-ogw-ratelimit-limit": "50", "x-ogw-ratelimit-reset": "1" } },
        );
      if (status) return Response.json({ code: 1, msg: "internal error" }, { status });
      const body = (await request.json()) as { msg_type?: string; content?: string; uuid?: string };
      if (!body.msg_type || !["text", "post", "interactive", "image"].includes(body.msg_type) || typeof body.content !== "string")
        return Response.json({ code: 230001, msg: "Your request contains an invalid request parameter." }, { status: 400 });
      if (new TextEncoder().encode(body.content).byteLength > (body.msg_type === "interactive" ? MAX_CARD_BYTES : MAX_POST_BYTES))
        return Response.json({ code: 230025, msg: "The length of the message content reaches its limit." }, { status: 400 });
      if (body.uuid && byUuid.has(body.uuid)) return Response.json({ code: 0, msg: "success", data: { message_id: byUuid.get(body.uuid) } });
      const messageId = `om_${crypto.randomUUID().replaceAll("-", "")}`;
      if (body.uuid) byUuid.set(body.uuid, messageId);
      state.replies.push({
        messageId: decodeURIComponent(reply[1] ?? ""),
        msgType: body.msg_type,
        content: JSON.parse(body.content) as Record<string, unknown>,
        uuid: body.uuid,
      });
      return Response.json({ code: 0, msg: "success", data: { message_id: messageId } });
    }
    return Response.json({ code: 404, msg: `no route ${path}` }, { status: 404 });
  }

  function serveResource(messageId: string, key: string, request: Request): Response {
    const type = new URL(request.url).searchParams.get("type");
    const found = resources.get(`${messageId}/${key}`);
    const answer = (status: number, body: Response) => {
      state.downloads.push({ messageId, key, type, status });
      return body;
    };
    if (type !== "image" && type !== "file") return answer(400, Response.json({ code: 234001, msg: "Invalid request param." }, { status: 400 }));
    if (!found || found.kind !== type) return answer(400, Response.json({ code: 234003, msg: "File not in msg." }, { status: 400 }));
    const size = found.bytes.byteLength;
    if (size > MAX_RESOURCE_BYTES) return answer(400, Response.json({ code: 234037, msg: "Downloaded file size exceeds limit." }, { status: 400 }));
    return answer(200, new Response(found.bytes, { headers: { "content-type": found.type, "content-length": String(size) } }));
  }

  return {
    handle,
    state,
    botOpenId,
    /** A picture (`image_key`) or a file, voice message or video (`file_key`) of a message, served by the resource API. */
    addResource(messageId: string, key: string, resource: FakeResource) {
      resources.set(`${messageId}/${key}`, { ...resource, bytes: new Uint8Array(resource.bytes) });
    },
    /** The next `count` replies fail with this HTTP status (429 is the frequency limit). */
    failNext(status: number, count = 1) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    /** Pushes an event like Feishu: encrypted and signed when the app has an Encrypt Key. */
    async deliver(url: string, event: unknown, opts: { timestamp?: number; signWith?: string; unsigned?: boolean; raw?: string } = {}): Promise<Response> {
      const plain = JSON.stringify(event);
      const body = opts.raw ?? (options.encryptKey ? JSON.stringify({ encrypt: await encryptLark(options.encryptKey, plain) }) : plain);
      const headers: Record<string, string> = { "content-type": "application/json" };
      const key = opts.signWith ?? options.encryptKey;
      if (key && !opts.unsigned) {
        const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
        const nonce = crypto.randomUUID().slice(0, 12);
        Object.assign(headers, {
          "x-lark-request-timestamp": timestamp,
          "x-lark-request-nonce": nonce,
          "x-lark-signature": await larkSignature(timestamp, nonce, key, body),
        });
      }
      return (options.deliverFetch ?? fetch)(url, { method: "POST", headers, body });
    },
  };
}

export type LarkFake = ReturnType<typeof createLarkFake>;
