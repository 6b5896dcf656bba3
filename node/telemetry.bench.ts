// What tracing and metrics cost a node per event, on the real hot path: PartitionActors in an
// ActorSystem decode Avro records and run every analytic and pattern (withPatterns), their results go
// through the node's port decorators (node/traced-ports.ts) into a stub sink that opens the
// `nats.publish` span a NatsResultSink would open for a traced result (no I/O). Records arrive like a
// producer's: a record carries a sampled `traceparent` header with probability `ratio`, the others
// carry none. Spans are exported over OTLP to the local Jaeger, batched as in a node.
// Modes: off (tracing.enabled=false, metrics.port=0), metrics (on), tracing-0.01 (the producer samples
// 1 %; every alert is traced), tracing-0.01-no-export (same, spans dropped instead of exported: the
// cost of creating them), tracing-0.01+metrics, tracing-0.01-all-headers (the other 99 % carry an
// unsampled traceparent), tracing-1 (every record sampled).
//   node --import tsx node/telemetry.bench.ts              all modes + the metric micro-costs, as Markdown
//   node --import tsx node/telemetry.bench.ts <mode>       one mode, one JSON line
// Each mode runs in its own child process (global OTel state and JIT profiles stay apart). The figure
// is process CPU time (user + system: exporting included) per event, median of RUNS passes.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { ActorSystem, MemorySnapshotStore, silentLogger } from '../runtime/index.ts';
import { AnalyticsEngine, withPatterns } from '../actors/engine/index.ts';
import { EventCodec } from '../actors/events/index.ts';
import { PartitionActor, type PartitionActorOptions, type PartitionMsg, type PartitionState } from '../actors/partition/partition-actor.ts';
import type { DeadLetterOutput, ResultOutput, SourceRecord } from '../actors/partition/ports.ts';
import type { AnalyticsResult } from '../actors/results.ts';
import { generateEvents } from '../actors/testkit/index.ts';
import { createOtlpExporter, startTracing, withTraceparent } from '../telemetry/index.ts';
import type { Tracing } from '../telemetry/index.ts';
import { createMetrics, DURATION_BUCKETS_S } from '../telemetry/metrics.ts';
import { NodeMetrics } from './node-metrics.ts';
import { instrumentPorts } from './traced-ports.ts';

const MODES = ['off', 'metrics', 'tracing-0.01', 'tracing-0.01-no-export', 'tracing-0.01+metrics', 'tracing-0.01-all-headers', 'tracing-1'] as const;
type Mode = (typeof MODES)[number];
const ENDPOINT = process.env['OTLP_ENDPOINT'] ?? 'http://127.0.0.1:4318/v1/traces';
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const PARTITIONS = 4;
const BATCH = 500;
const RUNS = 5;

/** EVENTS generated events over PARTITIONS partitions, encoded, without trace headers yet. */
function stream(): SourceRecord[][] {
  const codec = new EventCodec();
  const byPartition: SourceRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const item of generateEvents({ seed: 42, partitions: PARTITIONS, users: 20_000, count: EVENTS, eventsPerSecond: 20_000, badRatio: 0 })) {
    if (item.kind === 'event') byPartition[item.partition]!.push({ offset: item.offset, value: codec.encode(item.event) });
  }
  return byPartition;
}

/**
 * A producer's headers: a sampled traceparent on a `ratio` share of records (a fresh trace each), none
 * on the others — or, with `allHeaders`, an unsampled one on the others (a producer that propagates
 * every context, as OTel-instrumented clients do).
 */
function withHeaders(records: SourceRecord[][], ratio: number, allHeaders: boolean): SourceRecord[][] {
  if (ratio <= 0) return records;
  let n = 0;
  const every = Math.round(1 / ratio);
  const tp = (flags: string): string => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-${flags}`;
  return records.map((p) => p.map((r) => (n++ % every === 0 ? { ...r, traceparent: tp('01') } : allHeaders ? { ...r, traceparent: tp('00') } : r)));
}

/** Stands in for NatsResultSink + InfluxResultSink: keeps nothing, opens the publish span of a traced result. */
function stubSink(tracing: Tracing | undefined): ResultOutput {
  const tracer = tracing?.tracer;
  return {
    offer: (result: AnalyticsResult, traceparent?: string) => {
      if (traceparent) withTraceparent(tracer, 'nats.publish', traceparent, { 'messaging.system': 'nats', 'rtap.result.id': result.id }, () => undefined);
      return true;
    },
    flush: () => Promise.resolve(),
  };
}

const noLetters: DeadLetterOutput = { send: () => undefined, flush: () => Promise.resolve() };

/** The real OTLP exporter (or, `noExport`, one that drops the spans: what span creation alone costs), counting spans. */
function countingExporter(counts: { exported: number }, noExport: boolean): SpanExporter {
  const inner: SpanExporter = noExport ? { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() } : createOtlpExporter(ENDPOINT);
  return {
    export(spans, done) {
      counts.exported += spans.length;
      inner.export(spans, done);
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

interface Row { mode: string; cpuNs: number; cpuMin: number; wallNs: number; spans: number; tracedRecords: number; alerts: number }

async function runMode(mode: Mode): Promise<Row> {
  const ratio = mode === 'tracing-1' ? 1 : mode.startsWith('tracing-0.01') ? 0.01 : 0;
  const counts = { exported: 0 };
  const tracing = ratio > 0
    ? startTracing({ serviceName: 'rtap-bench', endpoint: ENDPOINT, sampleRatio: 0.01, enabled: true, exporter: countingExporter(counts, mode === 'tracing-0.01-no-export') })
    : undefined;
  const metrics = mode.endsWith('metrics') ? createMetrics({ serviceName: 'rtap-bench' }) : undefined;
  const records = withHeaders(stream(), ratio, mode === 'tracing-0.01-all-headers');
  const codec = new EventCodec();
  let alerts = 0;

  async function pass(): Promise<[cpu: number, wall: number]> {
    const nodeMetrics = metrics && new NodeMetrics(metrics.meter);
    const counted: ResultOutput = stubSink(tracing);
    const results: ResultOutput = {
      offer: (r, tp) => {
        if (r.kind === 'pattern') alerts++;
        return counted.offer(r, tp);
      },
      flush: () => counted.flush(),
    };
    const ports = instrumentPorts({ results, deadLetters: noLetters }, tracing?.tracer, nodeMetrics);
    const system = new ActorSystem({ logger: silentLogger });
    const epochs: number[] = [];
    const refs = records.map((_, partition) => {
      const options: PartitionActorOptions = {
        partition, snapshotId: `bench-${partition}`, codec,
        createEngine: (p) => new AnalyticsEngine({ partition: p, operators: withPatterns(), idleTimeoutMs: 0 }),
        ports: { ...ports, snapshots: new MemorySnapshotStore(2), failures: new Map(), source: { seek: () => (epochs[partition] = 1), commit: () => Promise.resolve() } },
        checkpointIntervalMs: 3_600_000, tickIntervalMs: 3_600_000, updateIntervalMs: 0, maxFailures: 3, keepSnapshots: 2, revokeTimeoutMs: 5_000,
      } as PartitionActorOptions;
      return system.spawn<PartitionMsg>(() => (nodeMetrics ? nodeMetrics.actorFactory()(options) : new PartitionActor(options)), {
        name: `p${partition}`, mailbox: { capacity: 100_000 },
      });
    });
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); // preStart: restore (nothing) and seek
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    records.forEach((p, partition) => {
      for (let i = 0; i < p.length; i += BATCH) refs[partition]!.tell({ type: 'records', epoch: epochs[partition]!, records: p.slice(i, i + BATCH) });
    });
    await Promise.all(refs.map((ref) => ref.ask<PartitionState>((replyTo) => ({ type: 'status', replyTo }), 600_000)));
    if (metrics) await metrics.scrape(); // one Prometheus scrape per pass
    const c = process.cpuUsage(c0);
    const wall = Number(process.hrtime.bigint() - t0);
    await system.terminate();
    return [((c.user + c.system) * 1000) / EVENTS, wall / EVENTS];
  }

  await pass(); // warm-up
  alerts = 0;
  const runs: [number, number][] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await pass());
  await tracing?.shutdown();
  await metrics?.shutdown();
  const cpu = runs.map((r) => r[0]).sort((a, b) => a - b);
  const wall = runs.map((r) => r[1]).sort((a, b) => a - b);
  const mid = Math.floor(RUNS / 2);
  const tracedRecords = records.reduce((n, p) => n + p.filter((r) => r.traceparent?.endsWith('-01')).length, 0);
  return { mode, cpuNs: cpu[mid]!, cpuMin: cpu[0]!, wallNs: wall[mid]!, spans: counts.exported, tracedRecords, alerts: alerts / RUNS };
}

/** ns per call of the metric operations a hot path could use. */
async function microCosts(): Promise<[string, number][]> {
  const m = createMetrics({ serviceName: 'rtap-bench' });
  const node = new NodeMetrics(m.meter);
  const counter = m.meter.createCounter('bench.counter');
  const histogram = m.meter.createHistogram('bench.histogram', { advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] } });
  const attrs = { kind: 'window' };
  const field = { n: 0 };
  const labels = new Map<string, number>();
  const sink: ResultOutput = { offer: () => true, flush: () => Promise.resolve() };
  const counted = node.countResults(sink);
  const result = { kind: 'window' } as AnalyticsResult;
  const N = 2_000_000;
  const time = (fn: (i: number) => void): number => {
    for (let i = 0; i < 200_000; i++) fn(i);
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) fn(i);
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) * 1000) / N;
  };
  const rows: [string, number][] = [
    ['plain field `n++` (what the hot paths do; observable instruments read it at scrape)', time(() => void field.n++)],
    ['`Map` increment by label (results by kind, dead letters by reason)', time(() => void labels.set('window', (labels.get('window') ?? 0) + 1))],
    ['`countResults` decorator around `offer` (per result)', time(() => void counted.offer(result))],
    ['OTel `Counter.add(1)`, no attributes', time(() => counter.add(1))],
    ['OTel `Counter.add(1, { kind })`', time(() => counter.add(1, attrs))],
    ['OTel `Histogram.record(v)` (per record batch in the node)', time((i) => histogram.record((i & 1023) / 100_000))],
  ];
  const c0 = process.cpuUsage();
  for (let i = 0; i < 200; i++) await m.scrape();
  const c = process.cpuUsage(c0);
  rows.push(['one scrape of a node\'s instruments (collect + serialize), µs', (c.user + c.system) / 200]);
  await m.shutdown();
  return rows;
}

async function runAll(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const rows = MODES.map((mode) => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    return JSON.parse(out.trim().split('\n').pop()!) as Row;
  });
  const off = rows.find((r) => r.mode === 'off')!;
  const us = (ns: number): string => (ns / 1000).toFixed(2);
  console.log(`${cpus().length} vCPU ${cpus()[0]?.model ?? ''}, Node ${process.version}, ${EVENTS} events over ${PARTITIONS} partition actors × ${RUNS} runs (median; CPU min)\n`);
  console.log('| mode | CPU µs/event | CPU min | vs off | wall µs/event | sampled records | alerts per run (traced when tracing is on) | spans exported |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const delta = r.cpuNs - off.cpuNs;
    console.log(`| ${r.mode} | ${us(r.cpuNs)} | ${us(r.cpuMin)} | ${r === off ? '' : `${delta >= 0 ? '+' : ''}${us(delta)} (${((delta / off.cpuNs) * 100).toFixed(0)} %)`} | ${us(r.wallNs)} | ${r.tracedRecords} | ${r.alerts} | ${r.spans} |`);
  }
  console.log('\n| metric operation | ns |\n|---|---:|');
  for (const [what, ns] of await microCosts()) console.log(`| ${what} | ${ns.toFixed(what.endsWith('µs') ? 0 : 1)} |`);
}

const mode = process.argv[2];
if (mode === undefined) await runAll();
else if ((MODES as readonly string[]).includes(mode)) console.log(JSON.stringify(await runMode(mode as Mode)));
else throw new Error(`unknown mode ${mode}; one of ${MODES.join(', ')}`);
