/**
 * Stands in for the Anthropic SDK's two tracing modules in the Worker bundle (see the `[alias]`
 * in wrangler.toml): `internal/tracing.mjs` (the call spans) and `lib/internal/tracing.mjs` (the
 * Messages-specific span attributes, stream observers, tool and environment spans). Both are
 * reached by relative specifiers, and some specifiers (`./internal/tracing.mjs`,
 * `../internal/tracing.mjs`, `./tracing.mjs`) name one file from one folder and the other from
 * another, so this module exports the union of both (their names do not overlap).
 *
 * What it implements is the SDK with its spans disabled (`openTelemetry: false`): `getTracer`
 * gives no tracer, so the client's `_tracer` is undefined and every SDK method takes its untraced
 * path (`request`, `requestAPIList`, `messages.create` and the stream helpers all test
 * `_tracer` first; `startApiCallSpan` is only reached through them). That is also all the real
 * modules could do in this Worker: the OpenTelemetry API they trace through is the no-op one
 * (src/lib/otel-noop/), whose spans neither record nor propagate, so the real `startApiCallSpan`
 * returns nothing as well. The functions that take a span are therefore never called; they keep
 * their signatures and do nothing, as the real ones do with a span that is not recording.
 * Leaving the real modules out saves about 16 KiB minified (content capture, stream observers,
 * attribute tables).
 */

/* The attribute names both modules export, as the SDK spells them (some callers import them). */
export const ATTR_ERROR_TYPE = "error.type";
export const ATTR_GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id";
export const ATTR_GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
export const ATTR_HTTP_REQUEST_METHOD = "http.request.method";
export const ATTR_HTTP_REQUEST_RESEND_COUNT = "http.request.resend_count";
export const ATTR_HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";
export const ATTR_HTTP_ROUTE = "http.route";
export const ATTR_SERVER_ADDRESS = "server.address";
export const ATTR_SERVER_PORT = "server.port";
export const ATTR_URL_FULL = "url.full";
export const ATTR_URL_PATH = "url.path";
export const ATTR_URL_QUERY = "url.query";
export const ATTR_URL_SCHEME = "url.scheme";
export const ATTR_ANTHROPIC_SESSION_THREAD_ID = "anthropic.session.thread.id";

/** The default `traces.maxContentBytes`, as the SDK's. */
const DEFAULT_MAX_CONTENT_BYTES = 750000;

/** No span table: no span is ever started. */
export const SPAN_ATTRIBUTES: Readonly<Record<string, never>> = Object.freeze({});

export interface ResolvedOpenTelemetryOptions {
  readonly tracerProvider: undefined;
  readonly propagation: boolean;
  readonly traces: { readonly enabled: boolean; readonly contentMode: "metadata_only"; readonly maxContentBytes: number };
}

/**
 * The client's settled `openTelemetry` option: spans off whatever was asked, since nothing in
 * this Worker could receive them. The shape is the SDK's (the client and `withOptions` copies
 * read `propagation` and `traces`).
 */
export function resolveOpenTelemetryOptions(_option?: unknown): ResolvedOpenTelemetryOptions {
  return Object.freeze({
    tracerProvider: undefined,
    propagation: false,
    traces: Object.freeze({ enabled: false, contentMode: "metadata_only", maxContentBytes: DEFAULT_MAX_CONTENT_BYTES }),
  });
}

/** No tracer: the SDK's answer for a client whose spans are disabled. */
export function getTracer(_option?: unknown, _version?: string, _platform?: string): undefined {
  return undefined;
}

/**
 * Runs a step of tracing; a failure never fails the API call, so what it throws makes the result
 * undefined (the SDK also logs it at debug level; with no tracer no such step runs).
 */
export function guardTracing<T>(_client: unknown, step: () => T): T | undefined {
  try {
    return step();
  } catch {
    return undefined;
  }
}

/** A helper's own span when it passed one down (never, here), else none: the call runs untraced. */
export function startApiCallSpan(_client: unknown, _name: string, options?: { __span?: unknown }, _settings?: unknown): unknown {
  return options?.__span;
}

/* What follows takes a span, and is only called with one. */
export function setCreatedIDAttribute(_call: unknown, _data: unknown): void {}
export function setResponseAttributes(_span: unknown, _name: string, _data: unknown): void {}
export function recordAttempt(_call: unknown, _method: string, _url: string, _recordsContent?: boolean): void {}
export function injectTraceHeaders<H>(_span: unknown, headers: H): H {
  return headers;
}
export function endApiCallSpan(_span: unknown, _result: unknown): void {}
export function observeStream(_stream: unknown, _signal: AbortSignal, _observer: unknown): void {}
export function endApiCallSpanWhenStreamEnds(_span: unknown, _stream: unknown, _props: unknown): void {}
export function setResponseHeaderAttributes(_span: unknown, _response: unknown): void {}
export function setErrorStatus(_span: unknown, _error: unknown, _type?: string): void {}

/* lib/internal/tracing.mjs: the Messages, Sessions, stream, environment and tool-runner spans. */
export function messagesCreateSpanSettings(_client: unknown, request: unknown): { route: string; request: unknown; attributes: Record<string, never> } {
  return { route: "/v1/messages", request, attributes: {} };
}
export function sessionsCreateSpanAttributes(_body: unknown): Record<string, never> {
  return {};
}
export function recordMessagesCreateRequest<C>(_client: unknown, call: C, _body: unknown): C {
  return call;
}
export function recordMessagesCreateResponse(_client: unknown, _call: unknown, _body: unknown, _data: unknown): void {}
export function recordStreamedMessageContent(_client: unknown, _call: unknown, _body: unknown, _message: unknown): void {}
export function endAnthropicApiCallSpanWhenStreamEnds(_client: unknown, _span: unknown, _stream: unknown, _props: unknown): void {}

/** Trace-context headers to keep out of a signature: with no propagator, none are ever set. */
export function takeTraceHeaders(_headers: Headers): [string, string][] {
  return [];
}
export function withoutTraceHeaders<M>(middleware: M): M {
  return middleware;
}

export function startEnvironmentWorkSpan(_client: unknown, _work: unknown, _parentContext?: unknown): undefined {
  return undefined;
}
export function endEnvironmentWorkSpan(_span: unknown, _signal: AbortSignal): void {}
export function failEnvironmentWorkSpan(_span: unknown, _signal: AbortSignal, _error: unknown): void {}
export async function withEnvironmentWorkSpan<T>(_client: unknown, _span: unknown, _signal: AbortSignal, handle: () => Promise<T>): Promise<T> {
  return handle();
}
export function startToolRunnerSpan(_client: unknown, _params: unknown, _conversationId?: string): undefined {
  return undefined;
}
export async function withToolUseSpan<T>(_client: unknown, _tool: unknown, _toolUse: unknown, _options: unknown, run: () => Promise<T>): Promise<T> {
  return run();
}
