/**
 * A fake Zulip server for this plugin's tests, as a web-standard fetch handler: it checks what
 * Zulip checks on the two REST calls the channel makes (basic auth as bot-email:api-key, the
 * form fields of POST /api/v1/messages, the 10,000-character limit), answers in Zulip's JSON
 * shape (errors with `result: "error"`, 429 with Retry-After), and can play Zulip's outgoing
 * webhook towards the gateway.
 */
import stream from "./fixtures/outgoing-stream-mention.json";

export interface SentZulipMessage {
  id: number;
  type: string;
  to: string;
  topic?: string;
  content: string;
}

export interface ZulipFakeOptions {
  botEmail: string;
  apiKey: string;
  /** The bot's outgoing-webhook token, put into webhooks the fake delivers. */
  token: string;
}

const error = (status: number, msg: string, code: string, headers?: Record<string, string>) =>
  Response.json({ result: "error", msg, code }, { status, headers });

export function createZulipFake(options: ZulipFakeOptions) {
  const state = { sent: [] as SentZulipMessage[], nextId: 9000, rateLimitNext: 0 };
  const expectedAuth = `Basic ${btoa(`${options.botEmail}:${options.apiKey}`)}`;

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.headers.get("authorization") !== expectedAuth) return error(401, "Invalid API key", "INVALID_API_KEY");
    if (request.method === "GET" && pathname === "/api/v1/users/me")
      return Response.json({ result: "success", msg: "", user_id: 25, email: options.botEmail, full_name: "Outgoing webhook test", is_bot: true });
    if (request.method === "POST" && pathname === "/api/v1/messages") {
      if (state.rateLimitNext > 0) {
        state.rateLimitNext--;
        return Response.json(
          { result: "error", msg: "API usage exceeded rate limit", "retry-after": 1.5, code: "RATE_LIMIT_HIT" },
          { status: 429, headers: { "retry-after": "1.5" } },
        );
      }
      if (!request.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded")) return error(400, "Unsupported content type", "BAD_REQUEST");
      const form = new URLSearchParams(await request.text());
      const [type, to, content, topic] = ["type", "to", "content", "topic"].map((k) => form.get(k) ?? undefined);
      for (const [name, value] of Object.entries({ type, to, content }))
        if (value === undefined) return error(400, `Missing '${name}' argument`, "REQUEST_VARIABLE_MISSING");
      if (!["direct", "private", "stream", "channel"].includes(type!)) return error(400, "Invalid message type", "BAD_REQUEST");
      if ((type === "stream" || type === "channel") && !topic) return error(400, "Missing topic", "BAD_REQUEST");
      if (type === "direct" || type === "private") {
        let ids: unknown;
        try {
          ids = JSON.parse(to!);
        } catch {
          ids = null;
        }
        if (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i))) return error(400, "Invalid user ID list", "BAD_REQUEST");
      }
      if (!content!.trim()) return error(400, "Message must not be empty", "BAD_REQUEST");
      if ([...content!].length > 10_000) return error(400, "Message must not be longer than 10000 characters", "BAD_REQUEST");
      const id = state.nextId++;
      state.sent.push({ id, type: type!, to: to!, content: content!, ...(topic ? { topic } : {}) });
      return Response.json({ result: "success", msg: "", id });
    }
    return error(404, "Endpoint not found", "BAD_REQUEST");
  }

  /** An outgoing-webhook payload like Zulip's, a channel mention by default, with this bot's token. */
  function outgoing(content: string, messageId: number, overrides: { type?: "stream" | "private" } = {}) {
    const payload = structuredClone(stream) as Omit<typeof stream, "message"> & { message: Record<string, unknown> };
    payload.token = options.token;
    payload.bot_email = options.botEmail;
    payload.message.id = messageId;
    payload.message.content = `@**${payload.bot_full_name}** ${content}`;
    payload.data = payload.message.content as string;
    if (overrides.type === "private") {
      payload.trigger = "direct_message";
      payload.message.type = "private";
      payload.message.content = content;
      payload.message.display_recipient = [
        { id: 5, email: "iago@zulip.com", full_name: "Iago" },
        { id: 25, email: options.botEmail, full_name: payload.bot_full_name },
      ];
    }
    return payload;
  }

  /** POSTs an outgoing webhook to `url` as Zulip does. */
  function deliver(url: string, payload: unknown): Promise<Response> {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "ZulipOutgoingWebhook/8.0" },
      body: JSON.stringify(payload),
    });
  }

  return { handle, state, outgoing, deliver };
}
