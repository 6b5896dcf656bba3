// Public surface of rtap's telemetry: structured logs, tracing setup, sampling, propagation, span helpers.
export { createLogger, toRuntimeLogger } from './logger.ts';
export type { LoggerOptions, PinoLogger } from './logger.ts';
export { BATCH_SETTINGS, EXPORT_CONCURRENCY, TRACER_NAME, createOtlpExporter, createSpanProcessor, createTracerProvider, noopTracer, startTracing, tracesUrl } from './tracing.ts';
export type { ProviderOptions, Tracing, TracingOptions } from './tracing.ts';
export { FORCE_SAMPLE_ATTRIBUTE, RtapSampler } from './sampler.ts';
export {
  TRACE_PARENT_HEADER, TRACE_STATE_HEADER, currentTraceId, currentTraceparent, extractJson, extractKafka, extractNats,
  injectJson, injectKafka, injectNats, traceIdOf,
} from './propagation.ts';
export type { KafkaHeaders, TraceFields } from './propagation.ts';
export { isSampled, withSpan } from './spans.ts';
