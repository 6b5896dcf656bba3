// Starts a `produce` span per traced event and returns the Kafka headers that carry its context —
// none for an untraced event, so they cost nothing on the wire. With `sampleRatio` the choice is
// made here, before any span exists (a load generator at 50k events/s would otherwise create and
// drop 50k spans a second); the chosen ones are force-sampled. Without it the SDK's sampler decides.
import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import { FORCE_SAMPLE_ATTRIBUTE, injectKafka } from '../telemetry/index.ts';

export function traceHeaders<T extends { partition: number }>(tracer: Tracer, force?: (item: T) => boolean, sampleRatio?: number): (item: T) => Record<string, string> | undefined {
  return (item) => {
    const forced = force?.(item) === true;
    if (sampleRatio !== undefined && !forced && Math.random() >= sampleRatio) return undefined;
    const attributes = { 'messaging.destination.partition.id': String(item.partition), ...(forced || sampleRatio !== undefined ? { [FORCE_SAMPLE_ATTRIBUTE]: true } : {}) };
    const span = tracer.startSpan('produce', { attributes }, ROOT_CONTEXT);
    if (!span.isRecording()) {
      span.end();
      return undefined;
    }
    const headers: Record<string, string> = {};
    injectKafka(headers, trace.setSpan(ROOT_CONTEXT, span));
    span.end();
    return headers;
  };
}
