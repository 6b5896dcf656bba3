// Public surface of rtap's telemetry: structured logs, tracing setup, sampling, propagation, span helpers.
export { createLogger, toRuntimeLogger } from './logger.ts';
export type { LoggerOptions, PinoLogger } from './logger.ts';
export { BATCH_SETTINGS, EXPORT_CONCURRENCY, TRACER_NAME, createOtlpExporter, createSpanProcessor, createTracerProvider, noopTracer, startTracing, tracesUrl } from './tracing.ts';
export type { ProviderOptions, Tracing, TracingOptions } from './tracing.ts';
export { FORCE_SAMPLE_ATTRIBUTE, RtapSampler } from './sampler.ts';
export {
  TRACE_PARENT_HEADER, TRACE_STATE_HEADER, currentTraceId, currentTraceparent, extractJson, extractKafka, extractNats,
  injectJson, injectKafka, injectNats, sampledFlag, traceIdOf,
} from './propagation.ts';
export type { KafkaHeaders, TraceFields } from './propagation.ts';
export { MAX_LINKS, isSampled, withBatchSpan, withSpan, withTraceparent } from './spans.ts';
export { DURATION_BUCKETS_S, METER_NAME, PROMETHEUS_CONTENT_TYPE, observeCounter, observeGauge, observeLabelled, createMetrics } from './metrics.ts';
export type { Metrics, MetricsOptions } from './metrics.ts';
