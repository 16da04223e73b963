/**
 * Stands in for `@opentelemetry/api` in the Worker bundle (see the `[alias]` in wrangler.toml).
 * The Anthropic SDK traces its calls through that API's global registry; Loopgate registers no
 * tracer provider, context manager or propagator, so the real package always answers with its
 * no-op implementations. This module is exactly those answers, for the names the SDK imports,
 * without the registry, diagnostics and version checks (about 11 KiB minified). Behaviour as
 * the API specifies with nothing registered: spans do not record and carry the invalid span
 * context, so the SDK's `startApiCallSpan` returns nothing and its calls run untraced; the active
 * context is the root one; propagation injects no header.
 */

type ContextValues = ReadonlyMap<symbol, unknown>;

/** An immutable context, as the API's `BaseContext`. */
class NoopContext {
  constructor(private readonly values: ContextValues = new Map()) {}
  getValue(key: symbol): unknown {
    return this.values.get(key);
  }
  setValue(key: symbol, value: unknown): NoopContext {
    return new NoopContext(new Map(this.values).set(key, value));
  }
  deleteValue(key: symbol): NoopContext {
    const values = new Map(this.values);
    values.delete(key);
    return new NoopContext(values);
  }
}

const ROOT_CONTEXT = new NoopContext();
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");

const INVALID_SPAN_CONTEXT = { traceId: "00000000000000000000000000000000", spanId: "0000000000000000", traceFlags: 0 };
type SpanContextLike = { traceId: string; spanId: string };

/** The API's `NonRecordingSpan` with the invalid context. */
class NonRecordingSpan {
  spanContext() {
    return INVALID_SPAN_CONTEXT;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
  recordException(): void {}
}

const tracer = {
  startSpan: () => new NonRecordingSpan(),
  startActiveSpan<F extends (span: NonRecordingSpan) => unknown>(_name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    return fn(new NonRecordingSpan()) as ReturnType<F>;
  },
};

export const context = {
  active: (): NoopContext => ROOT_CONTEXT,
  with<A extends unknown[], R>(_ctx: NoopContext, fn: (...args: A) => R, thisArg?: unknown, ...args: A): R {
    return fn.call(thisArg, ...args);
  },
  bind<T>(_ctx: NoopContext, target: T): T {
    return target;
  },
};

export const trace = {
  getTracerProvider: () => ({ getTracer: () => tracer }),
  getTracer: () => tracer,
  setSpan: (ctx: NoopContext, span: unknown): NoopContext => ctx.setValue(SPAN_KEY, span),
  getSpan: (ctx: NoopContext): unknown => ctx.getValue(SPAN_KEY),
  getActiveSpan: (): unknown => undefined,
  isSpanContextValid: (sc: SpanContextLike): boolean =>
    /^[0-9a-f]{32}$/i.test(sc.traceId) &&
    sc.traceId !== INVALID_SPAN_CONTEXT.traceId &&
    /^[0-9a-f]{16}$/i.test(sc.spanId) &&
    sc.spanId !== INVALID_SPAN_CONTEXT.spanId,
};

export const propagation = {
  fields: (): string[] => [],
  inject: (): void => {},
  extract: (ctx: NoopContext): NoopContext => ctx,
};

export const SpanKind = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;
export const SpanStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
