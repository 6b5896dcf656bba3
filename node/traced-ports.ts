// Always-sampled spans around the partition actors' output ports, so the actors stay free of tracing:
//  - every pattern alert gets a `pattern.alert` span (forced sampled). Its context replaces the
//    result's traceparent, so the alert's `nats.publish`, `influx.write` and `gateway.fanout` spans
//    follow it and the dashboard's Jaeger link works for every alert, sampled event or not. Under a
//    traced record it is a child of the record's `partition.process` span; otherwise a new root.
//    With `everyAlert` false (tracing.alerts) only the alerts of traced records get one.
//  - every dead letter gets a `dead-letter` span (forced, status ERROR, the reason and detail as
//    attributes), in the record's trace when it carried one. Its context replaces the letter's
//    traceparent, so the DLQ record's `traceparent` header leads an operator to that span.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import type { DeadLetter, DeadLetterOutput, PartitionPorts, ResultOutput } from '../actors/partition/ports.ts';
import type { AnalyticsResult } from '../actors/results.ts';
import { FORCE_SAMPLE_ATTRIBUTE, currentTraceparent, isSampled, sampledFlag } from '../telemetry/index.ts';
import type { NodeMetrics } from './node-metrics.ts';
import { otelRecordTracer, recordContext } from './record-tracer.ts';
import type { NodeRecordTracer } from './record-tracer.ts';

export function traceAlerts(inner: ResultOutput, tracer: Tracer, everyAlert = true): ResultOutput {
  return {
    offer(result: AnalyticsResult, traceparent?: string): boolean {
      if (result.kind !== 'pattern') return inner.offer(result, traceparent);
      // Unsampled contexts are recognised by their flags, without parsing them.
      if (!everyAlert && (traceparent === undefined || sampledFlag(traceparent) === false)) return inner.offer(result, traceparent);
      const parent = recordContext(traceparent);
      if (!everyAlert && !isSampled(parent)) return inner.offer(result, traceparent);
      const span = tracer.startSpan('pattern.alert', {
        attributes: {
          [FORCE_SAMPLE_ATTRIBUTE]: true,
          'rtap.pattern': result.pattern,
          'rtap.pattern.status': result.status,
          'rtap.key': result.key,
          'rtap.partition': result.partition,
          'rtap.result.id': result.id,
          'rtap.events': result.offsets.length,
        },
      }, parent);
      const alertTraceparent = currentTraceparent(trace.setSpan(parent, span)) ?? traceparent;
      span.end();
      return inner.offer(result, alertTraceparent);
    },
    flush: () => inner.flush(),
  };
}

export function traceDeadLetters(inner: DeadLetterOutput, tracer: Tracer, records?: NodeRecordTracer): DeadLetterOutput {
  return {
    send(letter: DeadLetter): void {
      const parent = records?.activeRecord() ?? recordContext(letter.traceparent);
      const span = tracer.startSpan('dead-letter', {
        attributes: {
          [FORCE_SAMPLE_ATTRIBUTE]: true,
          'rtap.dlq.reason': letter.reason,
          'rtap.dlq.detail': letter.detail.slice(0, 500),
          'rtap.partition': letter.partition,
          'messaging.kafka.offset': letter.offset,
          'error.type': letter.reason,
        },
      }, parent);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${letter.reason}: ${letter.detail.slice(0, 200)}` });
      const traceparent = currentTraceparent(trace.setSpan(parent, span)) ?? letter.traceparent;
      span.end();
      inner.send(traceparent === undefined ? letter : { ...letter, traceparent });
    },
    flush: () => inner.flush(),
  };
}

/**
 * The partition actors' output ports as the node wires them: the tracing decorators above (when
 * tracing is on) and the metric counters (when metrics are on) around the real outputs, plus the
 * RecordTracer for traced records.
 */
export function instrumentPorts(
  ports: { results: ResultOutput; deadLetters: DeadLetterOutput }, tracer: Tracer | undefined, metrics: NodeMetrics | undefined, everyAlert = true,
): Pick<PartitionPorts, 'results' | 'deadLetters' | 'tracer'> {
  let { results, deadLetters } = ports;
  let records: NodeRecordTracer | undefined;
  if (tracer !== undefined) {
    records = otelRecordTracer(tracer);
    results = traceAlerts(results, tracer, everyAlert);
    deadLetters = traceDeadLetters(deadLetters, tracer, records);
  }
  if (metrics !== undefined) {
    results = metrics.countResults(results);
    deadLetters = metrics.countDeadLetters(deadLetters);
  }
  return { results, deadLetters, ...(records !== undefined ? { tracer: records } : {}) };
}
