// Process-wide tracing setup: NodeSDK + OTLP/HTTP (protobuf) exporter + a bounded BatchSpanProcessor.
// Overhead policy: spans are queued in memory (at most BATCH_SETTINGS.maxQueueSize) and exported in the
// background every scheduledDelayMillis; when the collector is slow or down the queue fills and further
// spans are DROPPED (the SDK counts them and reports "Dropped N spans because maxQueueSize reached" via
// diag, routed to `logger` when given) rather than growing memory or blocking the event loop. Losing some
// traces under overload is acceptable.
import { context, diag, DiagLogLevel, ProxyTracerProvider, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { envDetector, hostDetector, processDetector, resourceFromAttributes, serviceInstanceIdDetector } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Logger } from '../runtime/logger.ts';
import { RootContextManager } from './root-context-manager.ts';
import { RtapSampler } from './sampler.ts';

/** Tracer (instrumentation scope) name every rtap process uses. */
export const TRACER_NAME = 'rtap';

/** BatchSpanProcessor tuning; exported so docs and tests can refer to the same numbers. */
export const BATCH_SETTINGS = Object.freeze({
  maxQueueSize: 8192, // finished spans buffered at most (~10 MB); beyond that spans are dropped
  maxExportBatchSize: 1024, // one OTLP request per 1024 spans keeps request count low at high rates
  scheduledDelayMillis: 500, // traces show up in Jaeger within ~0.5 s, still few requests per second
  exportTimeoutMillis: 10_000,
});

export interface TracingOptions {
  /** `service.name`: rtap-node, rtap-gateway, rtap-producer… */
  serviceName: string;
  /** OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces (a bare origin gets /v1/traces appended). */
  endpoint: string;
  /** Probability in [0, 1] that a root span (and its whole trace) is sampled. */
  sampleRatio: number;
  /** false → no SDK at all; the returned tracer is the API's no-op tracer. */
  enabled: boolean;
  /**
   * true (the default): the active span follows async code (AsyncLocalStorage), as
   * services need. false: there is no active span, every span takes its parent explicitly — for load
   * generators, which spare their sending thread the promise hooks on every promise (twenty-second
   * pass, 10 000 events/s: the generator's lateness p99 27 → 23 ms in the medians of seven pairs).
   */
  asyncContext?: boolean;
  /** Extra resource attributes, e.g. { 'rtap.node.id': 'node-1', 'service.version': '0.1.0' }. */
  resourceAttributes?: Attributes;
  /** Replaces the OTLP exporter (tests: InMemorySpanExporter). */
  exporter?: SpanExporter;
  /** Receives the SDK's own warnings and errors (dropped spans, failed exports); startTracing only. */
  logger?: Logger;
}

/** createTracerProvider registers nothing globally, so it has neither `enabled` nor a context manager. */
export type ProviderOptions = Omit<TracingOptions, 'enabled' | 'asyncContext'>;

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports every queued span now (before a planned exit, in tests). */
  flush(): Promise<void>;
  /** Flushes queued spans and stops the SDK. Idempotent; never rejects (a failed export is reported via diag). */
  shutdown(): Promise<void>;
}

/** Appends the OTLP traces path when only an origin was configured. */
export function tracesUrl(endpoint: string): string {
  const u = new URL(endpoint);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/v1/traces';
  return u.toString();
}

/**
 * In-flight OTLP requests allowed. In steady state the processor sends one batch at a time; a flush
 * (shutdown, flush()) sends the whole queue at once, maxQueueSize / maxExportBatchSize batches, possibly
 * while a scheduled batch is still in flight, and the exporter fails every batch beyond its limit
 * ("Concurrent export limit reached"). So the limit covers a full queue plus one, and no more, so a
 * stalled collector cannot pile up requests.
 */
export const EXPORT_CONCURRENCY = Math.ceil(BATCH_SETTINGS.maxQueueSize / BATCH_SETTINGS.maxExportBatchSize) + 1;

export function createOtlpExporter(endpoint: string): SpanExporter {
  return new OTLPTraceExporter({ url: tracesUrl(endpoint), concurrencyLimit: EXPORT_CONCURRENCY, timeoutMillis: BATCH_SETTINGS.exportTimeoutMillis });
}

function createExporter(options: ProviderOptions): SpanExporter {
  return options.exporter ?? createOtlpExporter(options.endpoint);
}

export function createSpanProcessor(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor({ exporter, ...BATCH_SETTINGS });
}

function resourceOf(options: ProviderOptions): Resource {
  return resourceFromAttributes({ ...options.resourceAttributes, 'service.name': options.serviceName });
}

/**
 * A tracer provider with rtap's sampler, processor and exporter that is NOT registered globally.
 * For embedding several "processes" in one (integration tests); real processes use startTracing.
 */
export function createTracerProvider(options: ProviderOptions): TracerProvider {
  return new TracerProvider({
    resource: resourceOf(options),
    sampler: new RtapSampler(options.sampleRatio),
    spanProcessors: [createSpanProcessor(createExporter(options))],
  });
}

/** The API's no-op tracer, independent of whatever is registered globally. */
export function noopTracer(): Tracer {
  return new ProxyTracerProvider().getTracer(TRACER_NAME);
}

/** Routes OTel's diagnostics (warn and error only: the rest is SDK chatter) to the process logger. */
function routeDiag(logger: Logger): void {
  const ignore = (): void => undefined;
  diag.setLogger(
    {
      error: (msg, ...args) => logger.error(`otel: ${msg}`, args.length > 0 ? { args: args.map(String) } : undefined),
      warn: (msg, ...args) => logger.warn(`otel: ${msg}`, args.length > 0 ? { args: args.map(String) } : undefined),
      info: ignore,
      debug: ignore,
      verbose: ignore,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}

/** Clears the global tracer provider, context manager and propagator registered by an earlier SDK. */
function resetGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}

/**
 * Starts tracing for this process (call once, early in main). It owns the process-wide OTel
 * registration: an earlier registration (a previous startTracing, another SDK) is replaced, and the
 * AsyncLocalStorage context manager (unless `asyncContext` is false) + W3C propagator are installed so
 * active spans follow async code.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (!options.enabled) return { tracer: noopTracer(), flush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  resetGlobals();
  if (options.logger !== undefined) routeDiag(options.logger);
  const processor = createSpanProcessor(createExporter(options));
  const sdk = new NodeSDK({
    serviceName: options.serviceName, // set last by the SDK, so OTEL_SERVICE_NAME cannot override it
    resource: resourceOf(options),
    resourceDetectors: [serviceInstanceIdDetector, hostDetector, processDetector, envDetector],
    sampler: new RtapSampler(options.sampleRatio),
    spanProcessors: [processor],
    // undefined: NodeSDK installs its AsyncLocalStorage manager.
    ...(options.asyncContext === false ? { contextManager: new RootContextManager() } : {}),
    // Traces only: without these NodeSDK would also start OTLP metric and log exporters from env defaults.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    tracer: trace.getTracer(TRACER_NAME),
    flush: () => processor.forceFlush(),
    shutdown: () => {
      // Losing the last spans must not fail a clean shutdown; resetting lets a later startTracing (tests) start clean.
      stopped ??= sdk.shutdown().catch((err: unknown) => diag.error('rtap tracing: final span export failed', err)).finally(resetGlobals);
      return stopped;
    },
  };
}
