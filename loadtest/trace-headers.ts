// Starts a `produce` span per event (the sampler decides: tracing.sample-ratio) and returns the
// Kafka headers that carry its context — none for an unsampled event, so they cost nothing on the wire.
import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import type { GeneratedItem } from '../actors/testkit/index.ts';
import { injectKafka } from '../telemetry/index.ts';

export function traceHeaders(tracer: Tracer, force?: (item: GeneratedItem) => boolean): (item: GeneratedItem) => Record<string, string> | undefined {
  return (item) => {
    const attributes = { 'messaging.destination.partition.id': String(item.partition), ...(force?.(item) ? { 'rtap.sample': true } : {}) };
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
