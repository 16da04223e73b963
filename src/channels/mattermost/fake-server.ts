/**
 * A fake Mattermost server (REST API v4: users/me, posts) as a web-standard handler, and its
 * integrations' side: a slash command POSTs form fields with the command's token, an outgoing
 * webhook JSON or form fields with the webhook's token. It checks what Mattermost checks: the
 * bearer token, channel membership of the bot (403), 16,383 characters, and that a `root_id`
 * is an existing root post. Errors look like `{id, message, status_code}`.
 */

export interface MattermostFakeOptions {
  botToken: string;
  /** How integrations reach the gateway: global fetch for a real server, SELF.fetch inside workerd. */
  deliverFetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export interface FakePost {
  id: string;
  channel_id: string;
  message: string;
  root_id: string;
  user_id: string;
}

const MAX_MESSAGE = 16_383;
export const FAKE_BOT_USER_ID = "b0tb0tb0tb0tb0tb0tb0tb0tb0";

/** A random id in Mattermost's format: 26 lowercase letters and digits. */
export function mattermostId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(crypto.getRandomValues(new Uint8Array(26)), (b) => alphabet[b % alphabet.length]).join("");
}

const apiError = (status: number, id: string, message: string, headers: Record<string, string> = {}) =>
  Response.json({ id, message, detailed_error: "", request_id: mattermostId(), status_code: status }, { status, headers });

export function createMattermostFake(options: MattermostFakeOptions) {
  const posts = new Map<string, FakePost>();
  const failures: { status: number; id: string; message: string; retryAfterSeconds?: number }[] = [];
  const state = { posts: [] as FakePost[], channels: new Set<string>(), calls: [] as { method: string; path: string }[] };
  const send = (url: string, init: RequestInit) => (options.deliverFetch ?? fetch)(url, init);

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    state.calls.push({ method: request.method, path });
    if (request.headers.get("authorization") !== `Bearer ${options.botToken}`)
      return apiError(401, "api.context.session_expired.app_error", "Invalid or expired session, please login again.");
    if (request.method === "GET" && path === "/api/v4/users/me") return Response.json({ id: FAKE_BOT_USER_ID, username: "loopbot", is_bot: true });
    if (request.method === "POST" && path === "/api/v4/posts") {
      const failure = failures.shift();
      if (failure)
        return apiError(
          failure.status,
          failure.id,
          failure.message,
          failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {},
        );
      const body = (await request.json().catch(() => ({}))) as Record<string, unknown>;
      if (typeof body.channel_id !== "string" || !/^[a-z0-9]{26}$/.test(body.channel_id))
        return apiError(400, "api.context.invalid_body_param.app_error", "Invalid or missing channel_id in request body.");
      if (!state.channels.has(body.channel_id)) return apiError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.");
      if (typeof body.message !== "string" || body.message.length === 0) return apiError(400, "model.post.is_valid.msg.app_error", "Invalid message.");
      if (body.message.length > MAX_MESSAGE) return apiError(400, "model.post.is_valid.msg.app_error", "Invalid message.");
      const rootId = typeof body.root_id === "string" ? body.root_id : "";
      if (rootId) {
        const root = posts.get(rootId);
        if (!root || root.root_id !== "" || root.channel_id !== body.channel_id)
          return apiError(400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.");
      }
      const post: FakePost = { id: mattermostId(), channel_id: body.channel_id, message: body.message, root_id: rootId, user_id: FAKE_BOT_USER_ID };
      posts.set(post.id, post);
      state.posts.push(post);
      return Response.json({ ...post, create_at: Date.now(), type: "" }, { status: 201 });
    }
    return apiError(404, "api.context.404.app_error", "Sorry, we could not find the page.");
  }

  return {
    handle,
    state,
    /** The bot was added to this channel: it may post there. */
    addBotTo(channelId: string) {
      state.channels.add(channelId);
    },
    /** A post a user wrote (so replies can thread on it); `rootId` makes it a reply itself. */
    userPost(channelId: string, message: string, rootId = ""): FakePost {
      const post: FakePost = { id: mattermostId(), channel_id: channelId, message, root_id: rootId, user_id: mattermostId() };
      posts.set(post.id, post);
      return post;
    },
    /** The next create-post calls fail with these answers, in order. */
    failNextPost(failure: { status: number; id: string; message: string; retryAfterSeconds?: number }) {
      failures.push(failure);
    },
    /** What a custom slash command sends: form fields. */
    slash(url: string, fields: Record<string, string>): Promise<Response> {
      return send(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams(fields).toString(),
      });
    },
    /** What an outgoing webhook sends, as JSON (or form fields with `form: true`). */
    outgoing(url: string, fields: Record<string, string>, form = false): Promise<Response> {
      return form
        ? send(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() })
        : send(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fields) });
    },
  };
}

export type MattermostFake = ReturnType<typeof createMattermostFake>;
