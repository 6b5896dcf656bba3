// Helpers that keep instrumented hot paths cheap: one call wraps a sync or async function in a span,
// and `isSampled` lets callers skip building attributes nobody will see.
import { context, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';

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
  const ctx = trace.setSpan(parent, span);
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
