// Metrics through OpenTelemetry, read by Prometheus: one MeterProvider per process (or per gateway
// instance in tests) with a pull-only Prometheus reader. Nothing is exported on a timer: values are
// aggregated when a scrape asks for them, so an idle /metrics costs nothing.
//
// Hot-path policy (measured in telemetry/tracing.bench.ts, docs/performance.md): code that runs per
// event increments plain numbers, and ObservableCounters/ObservableGauges read them at scrape time;
// synchronous instruments (Counter.add, Histogram.record) are for things that happen per batch or
// rarer, because each call costs the SDK an attribute lookup and a timestamp.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attributes, Meter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** Meter (instrumentation scope) name of every rtap process. */
export const METER_NAME = 'rtap';

/** Content type of a Prometheus text-format scrape. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsOptions {
  /** `service.name` on `target_info`. */
  serviceName: string;
  /** Extra resource attributes (shown on `target_info`), e.g. { 'rtap.node.id': 'node-1' }. */
  resourceAttributes?: Attributes;
}

export interface Metrics {
  readonly meter: Meter;
  /** The current values in the Prometheus text format (what GET /metrics returns). */
  scrape(): Promise<string>;
  /**
   * Serves GET /metrics on a server of its own (0: any free port). Resolves with the URL; rejects
   * when the port is taken. For processes without an HTTP server (nodes); the gateway serves
   * scrape() on its own port instead.
   */
  listen(port: number, host?: string): Promise<string>;
  /** Stops the server (if any, dropping kept-alive scrape connections) and the provider. Idempotent; never rejects. */
  shutdown(): Promise<void>;
}

/**
 * A MeterProvider with a pull-only Prometheus reader (the exporter's serializer, without its own
 * server). Scope labels are left out, so a series reads `rtap_gateway_clients 1` rather than
 * `rtap_gateway_clients{otel_scope_name="rtap"} 1`; the resource is one `target_info` series. OTel
 * names map to Prometheus names by replacing dots with underscores, and monotonic counters get
 * `_total`: `rtap.node.dead_letters` → `rtap_node_dead_letters_total`.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ ...options.resourceAttributes, 'service.name': options.serviceName }),
    readers: [exporter],
  });
  const serializer = new PrometheusSerializer(undefined, false, undefined, false, true);
  const scrape = async (): Promise<string> => serializer.serialize((await exporter.collect()).resourceMetrics);
  let server: Server | undefined;
  let stopped: Promise<void> | undefined;
  return {
    meter: provider.getMeter(METER_NAME),
    scrape,
    listen(port, host = '127.0.0.1') {
      if (server !== undefined) return Promise.reject(new Error('metrics: already listening'));
      const s = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET' || path !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
          return;
        }
        scrape().then(
          (body) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(body),
          (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${String(err)}\n`),
        );
      });
      server = s;
      return new Promise((resolve, reject) => {
        s.once('error', (err) => {
          server = undefined;
          reject(err);
        });
        s.listen(port, host, () => resolve(`http://${host}:${(s.address() as AddressInfo).port}/metrics`));
      });
    },
    shutdown() {
      stopped ??= (async () => {
        const s = server;
        if (s !== undefined) {
          await new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          });
        }
        await provider.shutdown().catch(() => undefined);
      })();
      return stopped;
    },
  };
}

/**
 * Histogram buckets (seconds) for things that take from ~100 µs to seconds: a batch of records, a
 * sink write. Prometheus' defaults start at 5 ms, too coarse for a batch of a few hundred events.
 */
export const DURATION_BUCKETS_S = Object.freeze([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** Reads `value()` at each scrape into an ObservableCounter (a monotonic total kept as a plain number). */
export function observeCounter(meter: Meter, name: string, description: string, value: () => number): void {
  meter.createObservableCounter(name, { description }).addCallback((r) => r.observe(value()));
}

/** Reads `value()` at each scrape into an ObservableGauge. */
export function observeGauge(meter: Meter, name: string, description: string, value: () => number, unit?: string): void {
  meter.createObservableGauge(name, { description, ...(unit !== undefined ? { unit } : {}) }).addCallback((r) => r.observe(value()));
}

/** One series per entry of `values()` (e.g. per partition, per sink), attribute `label` = the key. */
export function observeLabelled(
  meter: Meter, kind: 'counter' | 'gauge', name: string, description: string, label: string,
  values: () => Iterable<readonly [string | number, number]>,
): void {
  const instrument = kind === 'counter' ? meter.createObservableCounter(name, { description }) : meter.createObservableGauge(name, { description });
  instrument.addCallback((r) => {
    for (const [key, value] of values()) r.observe(value, { [label]: typeof key === 'number' ? String(key) : key });
  });
}
