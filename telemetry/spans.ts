// Helpers that keep instrumented hot paths cheap: one call wraps a sync or async function in a span,
// and `isSampled` lets callers skip building attributes nobody will see.
import { context, ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, Link, Span, Tracer } from '@opentelemetry/api';
import { currentTraceparent, extractJson } from './propagation.ts';

/** True when spans started under `ctx` (the active context by default) are sampled — unless forced with rtap.sample. */
export function isSampled(ctx: Context = context.active()): boolean {
  const sc = trace.getSpanContext(ctx);
  return sc !== undefined && (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

function fail(span: Span, err: unknown): void {
  if (span.isRecording()) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/**
 * Runs `fn` inside a new span (active for its duration, so nested spans and log lines see it) and ends the
 * span when `fn` returns or, for a promise, settles. A throw or rejection is recorded on the span, which
 * gets ERROR status, and is re-thrown. `attrs` are start attributes: the sampler sees them (rtap.sample).
 * `parentCtx` defaults to the active context; pass an extracted context to continue a remote trace.
 * `fn` also gets the span's context: hand it on explicitly where async context does not flow (actor
 * mailboxes, queues, a process without a context manager).
 */
export function withSpan<T>(
  tracer: Tracer, name: string, attrs: Attributes | undefined, parentCtx: Context | undefined, fn: (span: Span, ctx: Context) => T,
): T {
  const parent = parentCtx ?? context.active();
  const span = tracer.startSpan(name, attrs === undefined ? undefined : { attributes: attrs }, parent);
  return runInSpan(span, trace.setSpan(parent, span), fn);
}

/** Runs `fn` with `span` active and ends the span when `fn` returns or its promise settles (see withSpan). */
function runInSpan<T>(span: Span, ctx: Context, fn: (span: Span, ctx: Context) => T): T {
  let result: T;
  try {
    result = context.with(ctx, fn, undefined, span, ctx);
  } catch (err) {
    fail(span, err);
    throw err;
  }
  if (isPromiseLike(result)) {
    // Same promise type back to the caller: chain on it and return the chained promise.
    return Promise.resolve(result).then(
      (value) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        fail(span, err);
        throw err;
      },
    ) as T;
  }
  span.end();
  return result;
}

/**
 * For a hop that carries a W3C `traceparent` string (a queued result on its way to NATS or InfluxDB):
 * runs `fn` in a span `name`, child of `traceparent`, and hands `fn` the span's own traceparent to
 * send on, so the next hop becomes the span's child. When there is no tracer or the trace is not
 * sampled, `fn(traceparent)` runs directly: no span, and the context travels on unchanged.
 */
export function withTraceparent<T>(
  tracer: Tracer | undefined, name: string, traceparent: string, attrs: Attributes | undefined, fn: (traceparent: string) => T,
): T {
  if (tracer === undefined) return fn(traceparent);
  const parent = extractJson({ traceparent }, ROOT_CONTEXT);
  if (!isSampled(parent)) return fn(traceparent);
  return withSpan(tracer, name, attrs, parent, (_span, ctx) => fn(currentTraceparent(ctx) ?? traceparent));
}

/** Links kept on one span at most (a batch may carry many traced items). */
export const MAX_LINKS = 32;

/**
 * For a batch of items some of which carry a `traceparent` (an InfluxDB write): runs `fn` in one span
 * `name`, child of the first sampled context among `traceparents`, linked to the other sampled ones
 * (at most MAX_LINKS). Without a tracer or any sampled context, `fn` runs directly, without a span.
 */
export function withBatchSpan<T>(
  tracer: Tracer | undefined, name: string, traceparents: readonly string[], attrs: Attributes | undefined, fn: () => T,
): T {
  let parent: Context | undefined;
  const links: Link[] = [];
  if (tracer !== undefined) {
    for (const traceparent of traceparents) {
      const ctx = extractJson({ traceparent }, ROOT_CONTEXT);
      const sc = trace.getSpanContext(ctx);
      if (sc === undefined || !isSampled(ctx)) continue;
      if (parent === undefined) parent = ctx;
      else if (links.length < MAX_LINKS) links.push({ context: sc });
    }
  }
  if (tracer === undefined || parent === undefined) return fn();
  const span = tracer.startSpan(name, { ...(attrs !== undefined ? { attributes: attrs } : {}), links }, parent);
  return runInSpan(span, trace.setSpan(parent, span), fn);
}
