/**
 * A fake Mattermost server (REST API v4: users/me, posts, and what the WebSocket side reads to
 * catch up: users/{id}/channels, channels/{id}/posts?since=) as a web-standard handler, and its
 * integrations' side: a slash command POSTs form fields with the command's token, an outgoing
 * webhook JSON or form fields with the webhook's token. It checks what Mattermost checks: the
 * bearer token, channel membership of the bot (403), 16,383 characters, and that a `root_id`
 * is an existing root post. Errors look like `{id, message, status_code}`. Files attached to
 * posts are served by `GET /files/{id}/info` (the FileInfo) and `GET /files/{id}` (the bytes),
 * both with the bearer token and only when the bot can read the post's channel (403), 404 for
 * an unknown id. The typing event (`POST /users/{me|id}/typing`) is taken as the server takes
 * it: only for the bot itself (403 for another user), a JSON body, and a channel the bot may
 * post in (403); it answers `{"status":"OK"}`.
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
  create_at: number;
  update_at: number;
  delete_at: number;
  type: string;
  props: Record<string, unknown>;
  /** Set on a post with files, as the server sends it in `posted` events and post lists. */
  file_ids?: string[];
  metadata?: { files: FakeFileInfo[] };
}

/** A file attached to a post, as GET /files/{id}/info describes it. */
export interface FakeFileInfo {
  id: string;
  user_id: string;
  post_id: string;
  channel_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
  width?: number;
  height?: number;
  has_preview_image: boolean;
}

/** A channel the bot is a member of: "D" direct, "G" group, "O" public, "P" private. */
export interface FakeChannel {
  id: string;
  type: "D" | "G" | "O" | "P";
  last_post_at: number;
}

const MAX_MESSAGE = 16_383;
export const FAKE_BOT_USER_ID = "b0tb0tb0tb0tb0tb0tb0tb0tb0";
export const FAKE_BOT_USERNAME = "loopbot";
/** Mattermost caps a `since` query at 1000 posts. */
const SINCE_LIMIT = 1000;

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
  const state = {
    posts: [] as FakePost[],
    channels: new Set<string>(),
    calls: [] as { method: string; path: string }[],
    /** Every typing event published, with the time it was. */
    typing: [] as { channel_id: string; parent_id: string; at: number }[],
    /** Typing requests refused while `failTyping` is on. */
    typingRefused: 0,
  };
  let failTyping = false;
  const files = new Map<string, { info: FakeFileInfo; bytes: Uint8Array<ArrayBuffer> }>();
  const channels = new Map<string, FakeChannel>();
  /** Told of every new post (the WebSocket side broadcasts it as a `posted` event). */
  const postListeners: ((post: FakePost, channel: FakeChannel) => void)[] = [];
  // Distinct, increasing create_at even for posts made in the same millisecond.
  let lastCreateAt = 0;
  const nextCreateAt = () => (lastCreateAt = Math.max(Date.now(), lastCreateAt + 1));
  const store = (
    fields: Omit<FakePost, "create_at" | "update_at" | "delete_at" | "type" | "props" | "file_ids" | "metadata">,
    props: Record<string, unknown> = {},
    infos: FakeFileInfo[] = [],
  ): FakePost => {
    const at = nextCreateAt();
    const post: FakePost = {
      ...fields,
      create_at: at,
      update_at: at,
      delete_at: 0,
      type: "",
      props,
      ...(infos.length ? { file_ids: infos.map((i) => i.id), metadata: { files: infos } } : {}),
    };
    posts.set(post.id, post);
    const channel = channels.get(post.channel_id) ?? { id: post.channel_id, type: "O", last_post_at: 0 };
    channel.last_post_at = at;
    for (const listener of postListeners) listener(post, channel);
    return post;
  };
  const send = (url: string, init: RequestInit) => (options.deliverFetch ?? fetch)(url, init);
  const addFile = (channelId: string, postId: string, name: string, mimeType: string, bytes: Uint8Array): FakeFileInfo => {
    const at = Date.now();
    const info: FakeFileInfo = {
      id: mattermostId(),
      user_id: mattermostId(),
      post_id: postId,
      channel_id: channelId,
      create_at: at,
      update_at: at,
      delete_at: 0,
      name,
      extension: /\.(\w+)$/.exec(name)?.[1] ?? "",
      size: bytes.byteLength,
      mime_type: mimeType,
      has_preview_image: mimeType.startsWith("image/"),
    };
    files.set(info.id, { info, bytes: new Uint8Array(bytes) });
    return info;
  };

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    state.calls.push({ method: request.method, path });
    if (request.headers.get("authorization") !== `Bearer ${options.botToken}`)
      return apiError(401, "api.context.session_expired.app_error", "Invalid or expired session, please login again.");
    if (request.method === "GET" && path === "/api/v4/users/me") return Response.json({ id: FAKE_BOT_USER_ID, username: FAKE_BOT_USERNAME, is_bot: true });
    const userChannels = /^\/api\/v4\/users\/(me|[a-z0-9]{26})\/channels$/.exec(path);
    if (request.method === "GET" && userChannels) {
      if (userChannels[1] !== "me" && userChannels[1] !== FAKE_BOT_USER_ID)
        return apiError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.");
      return Response.json(
        [...channels.values()]
          .filter((c) => state.channels.has(c.id))
          .map((c) => ({ ...c, team_id: c.type === "D" || c.type === "G" ? "" : "teamteamteamteamteamteam00", delete_at: 0 })),
      );
    }
    const file = /^\/api\/v4\/files\/([a-z0-9]{26})(\/info)?$/.exec(path);
    if (request.method === "GET" && file) {
      const found = files.get(file[1] ?? "");
      if (!found) return apiError(404, "app.file_info.get.app_error", "Unable to get the file info.");
      if (!state.channels.has(found.info.channel_id)) return apiError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.");
      if (file[2]) return Response.json(found.info);
      return new Response(found.bytes, {
        headers: {
          "content-type": found.info.mime_type,
          "content-length": String(found.bytes.byteLength),
          "content-disposition": `attachment;filename="${found.info.name}"`,
          "x-content-type-options": "nosniff",
        },
      });
    }
    const typing = /^\/api\/v4\/users\/(me|[a-z0-9]{26})\/typing$/.exec(path);
    if (request.method === "POST" && typing) {
      if (typing[1] !== "me" && typing[1] !== FAKE_BOT_USER_ID)
        return apiError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.");
      let body: { channel_id?: unknown; parent_id?: unknown };
      try {
        body = (await request.json()) as typeof body;
      } catch {
        return apiError(400, "api.context.invalid_body_param.app_error", "Invalid or missing typing_request in request body.");
      }
      const channelId = typeof body.channel_id === "string" ? body.channel_id : "";
      if (!state.channels.has(channelId)) return apiError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.");
      if (failTyping) {
        state.typingRefused++;
        // What the server's rate limiter answers: plain text, with its headers.
        return new Response("limit exceeded\n", {
          status: 429,
          headers: { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" },
        });
      }
      state.typing.push({ channel_id: channelId, parent_id: typeof body.parent_id === "string" ? body.parent_id : "", at: Date.now() });
      return Response.json({ status: "OK" });
    }
    const channelPosts = /^\/api\/v4\/channels\/([a-z0-9]{26})\/posts$/.exec(path);
    if (request.method === "GET" && channelPosts) return postsSince(channelPosts[1] ?? "", new URL(request.url).searchParams);
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
      const post = store(
        { id: mattermostId(), channel_id: body.channel_id, message: body.message, root_id: rootId, user_id: FAKE_BOT_USER_ID },
        { from_bot: "true" },
      );
      state.posts.push(post);
      return Response.json(post, { status: 201 });
    }
    return apiError(404, "api.context.404.app_error", "Sorry, we could not find the page.");
  }

  /** GET /channels/{id}/posts?since=: every post modified after `since`, `order` by create time, newest first. */
  function postsSince(channelId: string, query: URLSearchParams): Response {
    if (!state.channels.has(channelId)) return apiError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.");
    const since = Number(query.get("since") ?? "0");
    if (!Number.isInteger(since) || since <= 0)
      return apiError(400, "api.context.invalid_url_param.app_error", "Invalid or missing since parameter in request URL.");
    if (["before", "after", "page", "per_page"].some((p) => query.has(p)))
      return apiError(400, "api.context.invalid_url_param.app_error", "since cannot be combined with before, after, page or per_page.");
    const found = [...posts.values()]
      .filter((p) => p.channel_id === channelId && p.update_at > since)
      .sort((a, b) => b.create_at - a.create_at)
      .slice(0, SINCE_LIMIT);
    return Response.json({
      order: found.map((p) => p.id),
      posts: Object.fromEntries(found.map((p) => [p.id, p])),
      next_post_id: "",
      prev_post_id: "",
      has_next: false,
    });
  }

  return {
    handle,
    state,
    /** The bot was added to this channel (type "D" for a direct message with it): it may read and post there. */
    addBotTo(channelId: string, type: FakeChannel["type"] = "O") {
      state.channels.add(channelId);
      if (!channels.has(channelId)) channels.set(channelId, { id: channelId, type, last_post_at: 0 });
    },
    /** A post a user wrote (so replies can thread on it); `rootId` makes it a reply itself. */
    userPost(channelId: string, message: string, rootId = "", userId = mattermostId()): FakePost {
      return store({ id: mattermostId(), channel_id: channelId, message, root_id: rootId, user_id: userId });
    },
    /** A file a user uploaded to a post in `channelId`; its FileInfo, as the post's `metadata.files` holds it. */
    addFile,
    /**
     * A post a user wrote with files uploaded to it: `file_ids` and `metadata.files` as the server
     * fills them (a `declaredSize` stands in for a larger upload in the infos).
     */
    userPostWithFiles(
      channelId: string,
      message: string,
      uploads: { name: string; type: string; bytes: Uint8Array; declaredSize?: number }[],
      userId = mattermostId(),
    ): FakePost {
      const id = mattermostId();
      const infos = uploads.map((u) => {
        const info = addFile(channelId, id, u.name, u.type, u.bytes);
        if (u.declaredSize !== undefined) info.size = u.declaredSize;
        return info;
      });
      return store({ id, channel_id: channelId, message, root_id: "", user_id: userId }, {}, infos);
    },
    /** Every file download (GET /files/{id}), for tests that check nothing was fetched. */
    downloads(): number {
      return state.calls.filter((c) => /^\/api\/v4\/files\/[a-z0-9]{26}$/.test(c.path)).length;
    },
    /** Subscribes to new posts, the bot's own included (as Mattermost broadcasts them). */
    onPost(listener: (post: FakePost, channel: FakeChannel) => void) {
      postListeners.push(listener);
    },
    /** Typing requests are refused by the rate limiter (429) until told otherwise; posts still go. */
    failTypingRequests(fail = true) {
      failTyping = fail;
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
