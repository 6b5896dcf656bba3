// The node's RecordTracer: a record that arrives with a sampled trace context (the producer sampled
// it) is processed inside a `partition.process` span, child of the producer's span, with one child
// span per step: `decode`, `window.update` (window operators), `pattern.match` (pattern operators)
// and, when the event moved the watermark, `watermark.advance` (every operator fires what is due).
// The record's results leave with the `partition.process` context, so NATS and the gateway continue
// the same trace. A record whose handler throws gets an always-sampled `handler.error` span.
import { ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Context, Tracer } from '@opentelemetry/api';
import type { RecordPhase, RecordPhases, RecordTracer, SourceRecord } from '../actors/partition/ports.ts';
import { FORCE_SAMPLE_ATTRIBUTE, currentTraceparent, extractJson, isSampled, sampledFlag, withSpan } from '../telemetry/index.ts';

/** Span name of each step of a traced record. */
export const PHASE_SPANS: Readonly<Record<RecordPhase, string>> = Object.freeze({
  decode: 'decode',
  windows: 'window.update',
  patterns: 'pattern.match',
  watermark: 'watermark.advance',
});

export type NodeRecordTracer = RecordTracer & {
  phases(): RecordPhases | undefined;
  failed(partition: number, record: SourceRecord, error: unknown): void;
  /** The context of the `partition.process` span being run by `around`, if any (for the port decorators). */
  activeRecord(): Context | undefined;
};

/** The context a record's traceparent carries (ROOT_CONTEXT when it carries none). */
export function recordContext(traceparent: string | undefined): Context {
  return traceparent === undefined ? ROOT_CONTEXT : extractJson({ traceparent }, ROOT_CONTEXT);
}

export function otelRecordTracer(tracer: Tracer): NodeRecordTracer {
  // Actors process one record at a time on one thread: the span of the record in progress is a plain
  // variable (no async context needed, and it works whatever context manager is registered).
  let active: Context | undefined;
  const phases: RecordPhases = {
    phase: <T>(phase: RecordPhase, fn: () => T): T => (active === undefined ? fn() : withSpan(tracer, PHASE_SPANS[phase], undefined, active, fn)),
  };
  return {
    around(partition, record, fn) {
      // Unsampled contexts (a producer that propagates every event's) are recognised without parsing them.
      if (record.traceparent === undefined || sampledFlag(record.traceparent) === false) {
        fn(undefined);
        return;
      }
      const parent = recordContext(record.traceparent);
      if (!isSampled(parent)) {
        fn(undefined);
        return;
      }
      withSpan(tracer, 'partition.process', { 'rtap.partition': partition, 'messaging.kafka.offset': record.offset }, parent, (_span, ctx) => {
        const outer = active;
        active = ctx;
        try {
          fn(currentTraceparent(ctx));
        } finally {
          active = outer;
        }
      });
    },
    phases: () => (active === undefined ? undefined : phases),
    failed(partition: number, record: SourceRecord, error: unknown) {
      const attrs: Attributes = {
        [FORCE_SAMPLE_ATTRIBUTE]: true, 'rtap.partition': partition, 'messaging.kafka.offset': record.offset,
        'error.type': error instanceof Error ? error.name : typeof error,
      };
      const span = tracer.startSpan('handler.error', { attributes: attrs }, active ?? recordContext(record.traceparent));
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
    },
    activeRecord: () => active,
  };
}
