/**
 * Isolation for channel plugins (third-party packages; docs/channels/plugins.md): every call
 * into a plugin adapter is wrapped so that an exception or a malformed answer becomes a clear
 * error result for that one channel, reported to `onFault` (which marks the channel's status),
 * while the gateway and every other channel carry on. Built-in adapters are not wrapped.
 */
import * as z from "zod";
import { describeZodError } from "../lib/zod-error";
import type { Attachment, ChannelAdapter, ChannelContext, FetchedAttachment, OutboundMessage, SendResult, VerifyResult } from "./shared/types";

/** Told which channel's plugin misbehaved and how; the gateway writes it to the channel's status. */
export type FaultSink = (channelId: string, error: string) => void | Promise<void>;

/** A plugin failed where the gateway cannot answer with a result (prepareConfig at channel creation). */
export class ChannelPluginError extends Error {}

/** Seconds a platform is asked to wait before retrying a webhook a broken plugin could not read. */
export const PLUGIN_FAULT_RETRY_AFTER_S = 60;
const MAX_ERROR_CHARS = 300;

const text = z.string().max(10_000);
const inboundSchema = z.object({
  senderId: z.string().min(1).max(256),
  senderName: z.string().max(256).optional(),
  conversationId: z.string().min(1).max(256).optional(),
  platformMessageId: z.string().min(1).max(256),
  text: z.string().max(100_000),
  attachments: z
    .array(
      z.object({
        type: text,
        url: text.optional(),
        name: text.optional(),
        size: z.number().int().nonnegative().optional(),
        voice: z.boolean().optional(),
        durationSeconds: z.number().nonnegative().optional(),
      }),
    )
    .max(20)
    .optional(),
  replyContext: z.record(z.string(), text).optional(),
});
const verifySchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("messages"),
    messages: z.array(inboundSchema).max(100),
    ack: z.custom<() => Response>((v) => typeof v === "function").optional(),
  }),
  z.object({ kind: z.literal("response"), response: z.instanceof(Response) }),
  z.object({ kind: z.literal("rejected"), status: z.union([z.literal(400), z.literal(401), z.literal(403), z.literal(413), z.literal(415)]), error: text }),
]);
const sendSchema = z.union([
  z.object({ ok: z.literal(true), platformMessageId: z.string().max(256).optional() }),
  z.object({ ok: z.literal(false), retryable: z.boolean(), retryAfterMs: z.number().nonnegative().optional(), error: text }),
]);
const setupSchema = z.object({ ok: z.boolean(), steps: z.array(text) });
const fetchedSchema = z.union([
  z.object({ ok: z.literal(true), bytes: z.instanceof(Uint8Array), mediaType: z.string().min(1).max(200) }),
  z.object({ ok: z.literal(false), reason: z.enum(["too_large", "unavailable"]), error: text, size: z.number().nonnegative().optional() }),
]);

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_CHARS);
}

/** Wraps `adapter` (from package `source`) so that nothing it does can take the gateway down. */
export function guardPlugin<C>(adapter: ChannelAdapter<C>, source: string, onFault?: FaultSink): ChannelAdapter<C> {
  const fault = async (channelId: string, what: string): Promise<string> => {
    const error = `channel plugin ${source} ${what}`;
    console.error(JSON.stringify({ msg: "channel plugin fault", source, channelId, error }));
    await Promise.resolve(onFault?.(channelId, error)).catch(() => {});
    return error;
  };
  /** Calls a plugin method and checks its answer; a failure is already reported when this returns. */
  const call = async <T>(
    channelId: string,
    method: string,
    schema: z.ZodType<T>,
    run: () => Promise<unknown>,
  ): Promise<{ ok: true; value: T } | { ok: false; threw: boolean; error: string }> => {
    let value: unknown;
    try {
      value = await run();
    } catch (err) {
      return { ok: false, threw: true, error: await fault(channelId, `threw in ${method}: ${describe(err)}`) };
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      return { ok: false, threw: false, error: await fault(channelId, `returned an invalid ${method} result: ${describe(describeZodError(parsed.error))}`) };
    return { ok: true, value: parsed.data };
  };

  const guarded: ChannelAdapter<C> = {
    type: adapter.type,
    description: adapter.description,
    configSchema: adapter.configSchema,
    secretFields: adapter.secretFields,
    maxMessageLength: adapter.maxMessageLength,
    async send(message: OutboundMessage, ctx: ChannelContext<C>): Promise<SendResult> {
      const result = await call(ctx.channelId, "send", sendSchema, () => adapter.send(message, ctx));
      // A throw is most often an uncaught network error: retried with backoff, up to the delivery limit.
      return result.ok ? result.value : { ok: false, retryable: result.threw, error: result.error };
    },
  };
  if (adapter.prepareConfig) {
    const prepare = adapter.prepareConfig.bind(adapter);
    guarded.prepareConfig = (config: C): C => {
      let prepared: unknown;
      try {
        prepared = prepare(config);
      } catch (err) {
        throw new ChannelPluginError(`channel plugin ${source} threw in prepareConfig: ${describe(err)}`);
      }
      const parsed = adapter.configSchema.safeParse(prepared);
      if (!parsed.success) throw new ChannelPluginError(`channel plugin ${source} returned a config its own schema rejects from prepareConfig`);
      return parsed.data;
    };
  }
  if (adapter.verify) {
    const verify = adapter.verify.bind(adapter);
    guarded.verify = async (request: Request, ctx: ChannelContext<C>): Promise<VerifyResult> => {
      const result = await call(ctx.channelId, "verify", verifySchema, () => verify(request, ctx));
      if (result.ok) return result.value as VerifyResult;
      // The request may well be valid: 503 keeps it on the platform's side for a retry; nothing is stored.
      const response = Response.json(
        { error: "this channel's plugin failed; the message was not accepted" },
        { status: 503, headers: { "retry-after": String(PLUGIN_FAULT_RETRY_AFTER_S) } },
      );
      return { kind: "response", response };
    };
  }
  if (adapter.setup) {
    const setup = adapter.setup.bind(adapter);
    guarded.setup = async (ctx: ChannelContext<C>) => {
      const result = await call(ctx.channelId, "setup", setupSchema, () => setup(ctx));
      return result.ok ? result.value : { ok: false, steps: [result.error] };
    };
  }
  if (adapter.fetchAttachment) {
    const fetchAttachment = adapter.fetchAttachment.bind(adapter);
    guarded.fetchAttachment = async (attachment: Attachment, ctx: ChannelContext<C>, maxBytes: number): Promise<FetchedAttachment> => {
      const result = await call(ctx.channelId, "fetchAttachment", fetchedSchema, () => fetchAttachment(attachment, ctx, maxBytes));
      return result.ok ? (result.value as FetchedAttachment) : { ok: false, reason: "unavailable", error: result.error };
    };
  }
  return guarded;
}
