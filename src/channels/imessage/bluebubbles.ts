/**
 * The BlueBubbles server's REST API (v1) over fetch, for the bridge on the Mac: every call
 * carries the server password as the `password` query parameter; answers are
 * `{status, message, data}` or `{status, message, error: {type, error}}`. The one place where
 * its answers become outcomes.
 * https://docs.bluebubbles.app/server/developer-guides/rest-api-and-webhooks
 */
import * as z from "zod";

/** Messages beyond this are split; iMessage itself allows more, but long bubbles read badly. */
export const IMESSAGE_MAX_MESSAGE_LENGTH = 10_000;
/** How many messages one query returns at most (BlueBubbles' `limit`, its maximum is 1000). */
export const QUERY_PAGE_SIZE = 100;

export interface BlueBubblesClient {
  serverUrl: string;
  password: string;
  fetch: typeof fetch;
}

export function blueBubblesCall(client: BlueBubblesClient, method: "GET" | "POST", path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  const url = new URL(`${client.serverUrl.replace(/\/+$/, "")}/api/v1${path}`);
  url.searchParams.set("password", client.password);
  return client.fetch(url.toString(), {
    method,
    ...(signal ? { signal } : {}),
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export type BlueBubblesOutcome<T> = { ok: true; data: T } | { ok: false; status: number; retryable: boolean; error: string };

/** Reads an answer: 401 is a wrong password (final), 5xx and unreadable answers are retried, other 4xx final. */
export async function blueBubblesResult<T>(res: Response, data: z.ZodType<T>): Promise<BlueBubblesOutcome<T>> {
  const body = (await res.json().catch(() => null)) as { message?: string; data?: unknown; error?: { type?: string; error?: string } } | null;
  if (!res.ok) {
    const why = body?.error?.error ?? body?.message ?? `HTTP ${res.status}`;
    return { ok: false, status: res.status, retryable: res.status >= 500 || res.status === 429, error: `BlueBubbles HTTP ${res.status}: ${why}` };
  }
  const parsed = data.safeParse(body?.data);
  if (!parsed.success) return { ok: false, status: res.status, retryable: true, error: "BlueBubbles answered something unexpected" };
  return { ok: true, data: parsed.data };
}

/** An attachment as the message query lists it `with: ["attachment"]` (AttachmentSerializer; the fields read here). */
export const blueBubblesAttachmentSchema = z.looseObject({
  guid: z.string().min(1).max(200).nullable().optional(),
  mimeType: z.string().max(200).nullable().optional(),
  uti: z.string().max(200).nullable().optional(),
  transferName: z.string().nullable().optional(),
  totalBytes: z.number().nullable().optional(),
});
export type BlueBubblesAttachment = z.infer<typeof blueBubblesAttachmentSchema>;

/** A message as `POST /message/query` returns it `with: ["chat", "handle", "attachment"]` (the fields read here). */
export const blueBubblesMessageSchema = z.looseObject({
  guid: z.string().min(1).max(200),
  text: z.string().nullable().default(""),
  isFromMe: z.boolean(),
  dateCreated: z.number().int().nonnegative(),
  handle: z
    .looseObject({ address: z.string().min(1).max(200) })
    .nullable()
    .optional(),
  chats: z.array(z.looseObject({ guid: z.string().min(1).max(200), displayName: z.string().nullable().optional() })).default([]),
  attachments: z.array(blueBubblesAttachmentSchema).default([]),
  /** A voice message recorded in Messages (its attachment is Core Audio, `.caf`). */
  isAudioMessage: z.boolean().nullable().optional(),
  associatedMessageGuid: z.string().nullable().optional(),
});
export type BlueBubblesMessage = z.infer<typeof blueBubblesMessageSchema>;

/** Messages created after `after` (ms), oldest first. */
export async function queryMessagesAfter(client: BlueBubblesClient, after: number): Promise<BlueBubblesOutcome<unknown[]>> {
  const res = await blueBubblesCall(client, "POST", "/message/query", {
    with: ["chat", "handle", "attachment"],
    after,
    sort: "ASC",
    limit: QUERY_PAGE_SIZE,
    offset: 0,
  });
  return blueBubblesResult(res, z.array(z.unknown()));
}

/** Sends text to a chat; `tempGuid` is stable across re-sends of one reply. */
export async function sendText(client: BlueBubblesClient, chatGuid: string, message: string, tempGuid: string): Promise<BlueBubblesOutcome<unknown>> {
  const res = await blueBubblesCall(client, "POST", "/message/text", { chatGuid, tempGuid, message, method: "apple-script" });
  return blueBubblesResult(res, z.unknown());
}

export async function ping(client: BlueBubblesClient): Promise<BlueBubblesOutcome<unknown>> {
  return blueBubblesResult(await blueBubblesCall(client, "GET", "/ping"), z.unknown());
}
