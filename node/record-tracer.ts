// The node's RecordTracer: a record that arrives with a trace context (the producer sampled it)
// is processed inside a `partition.process` span, child of the producer's span; its results leave
// with this span's context, so NATS and the gateway continue the same trace.
import type { Tracer } from '@opentelemetry/api';
import type { RecordTracer } from '../actors/partition/ports.ts';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { currentTraceparent, extractJson, isSampled, withSpan } from '../telemetry/index.ts';

export function otelRecordTracer(tracer: Tracer): RecordTracer {
  return {
    around(partition, record, fn) {
      const parent = extractJson({ traceparent: record.traceparent }, ROOT_CONTEXT);
      if (!isSampled(parent)) {
        fn(undefined);
        return;
      }
      withSpan(tracer, 'partition.process', { 'rtap.partition': partition, 'messaging.kafka.offset': record.offset }, parent, (_span, ctx) =>
        fn(currentTraceparent(ctx) ?? currentTraceparent(context.active())),
      );
    },
  };
}
