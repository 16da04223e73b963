/**
 * Posts the bot missed while its WebSocket was down (a reconnect, or a bridge restart): the
 * channels it is a member of (GET /users/me/channels, server 6.1+) with a post newer than the
 * cursor, then each one's GET /channels/{id}/posts?since=. `since` returns posts *modified*
 * after that time (edits included) and caps at 1000; only posts created after the cursor count,
 * oldest first, so they reach the agent in the order they were written.
 * https://developers.mattermost.com/api-documentation/#/operations/GetPostsForChannel
 */
import * as z from "zod";
import { type MattermostClient, mattermostCall, mattermostError } from "../../../../src/channels/mattermost/api";
import { type MattermostPost, mattermostPostSchema } from "../../../../src/channels/mattermost/websocket-post";

const channelList = z.array(z.looseObject({ id: z.string(), type: z.string(), last_post_at: z.number().default(0) }));
const postList = z.looseObject({ order: z.array(z.string()), posts: z.record(z.string(), z.unknown()) });

export interface MissedPost {
  post: MattermostPost;
  channelType: string;
}

/** Thrown when Mattermost answers with an error: `final` for a token it no longer accepts. */
export class MattermostApiError extends Error {
  constructor(
    message: string,
    readonly final: boolean,
  ) {
    super(message);
  }
}

async function getJson(client: MattermostClient, path: string): Promise<unknown> {
  const res = await mattermostCall(client, "GET", path);
  if (!res.ok) {
    const { id, message } = await mattermostError(res);
    throw new MattermostApiError(`GET ${path.split("?")[0]}: HTTP ${res.status} ${message}${id ? ` (${id})` : ""}`, res.status === 401);
  }
  return res.json();
}

/** The bot's channels, with their type and newest post time. */
export async function botChannels(client: MattermostClient): Promise<{ id: string; type: string; last_post_at: number }[]> {
  const parsed = channelList.safeParse(await getJson(client, "/users/me/channels"));
  if (!parsed.success) throw new MattermostApiError("GET /users/me/channels: unexpected answer", false);
  return parsed.data;
}

export async function missedPosts(client: MattermostClient, since: number): Promise<MissedPost[]> {
  const missed: MissedPost[] = [];
  for (const channel of await botChannels(client)) {
    if (channel.last_post_at <= since) continue;
    // One millisecond back: a post created in the cursor's own millisecond is fetched again, not lost.
    const list = postList.safeParse(await getJson(client, `/channels/${channel.id}/posts?since=${since - 1}`));
    if (!list.success) throw new MattermostApiError(`GET /channels/${channel.id}/posts: unexpected answer`, false);
    // `posts` may also hold the roots of threads that got replies; `order` is what was asked for.
    for (const postId of list.data.order) {
      const post = mattermostPostSchema.safeParse(list.data.posts[postId]);
      if (post.success && post.data.create_at >= since) missed.push({ post: post.data, channelType: channel.type });
    }
  }
  return missed.sort((a, b) => a.post.create_at - b.post.create_at);
}
