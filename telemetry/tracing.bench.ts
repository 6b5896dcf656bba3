// Cost of rtap's tracing per consumed event, on the node's hot path: extract the W3C context from the
// Kafka record headers (kafkajs shape: Buffer values), then two nested spans (kafka.consume → window.update).
// Each mode runs in its own child process so global OTel state and JIT profiles do not leak between modes.
//   node --import tsx telemetry/tracing.bench.ts            all modes, prints a Markdown table
//   node --import tsx telemetry/tracing.bench.ts <mode>     one mode, prints one JSON line
// Events are handled in batches of BATCH per macrotask (like a consumer's fetched batch), so the batch
// span processor's timer and OTLP exports run on the same thread, as they would in a node. The primary
// figure is process CPU time per event (user + system, so exporting is included), which stays meaningful
// on a loaded machine; wall time is reported too.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { createLogger } from './logger.ts';
import { extractKafka } from './propagation.ts';
import { withSpan } from './spans.ts';
import { createOtlpExporter, startTracing } from './tracing.ts';

const MODES = ['baseline', 'disabled', 'ratio-0.01', 'ratio-1', 'log', 'log-in-span'] as const;
type Mode = (typeof MODES)[number];
const ENDPOINT = process.env['OTLP_ENDPOINT'] ?? 'http://127.0.0.1:4318/v1/traces';
const POOL = 16_384;
const BATCH = 500;
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 500_000);
const WARMUP = Math.min(EVENTS, 100_000);
const RUNS = 5;

const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/** Kafka headers as the producer would have written them: its root decided by `ratio` on the trace id. */
function headerPool(ratio: number): Record<string, Buffer>[] {
  const sampler = new TraceIdRatioBasedSampler(ratio);
  return Array.from({ length: POOL }, () => {
    const traceId = hex(32);
    const flags = sampler.shouldSample(ROOT_CONTEXT, traceId).decision === 2 ? '01' : '00';
    return { 'rtap-schema': Buffer.from('7'), traceparent: Buffer.from(`00-${traceId}-${hex(16)}-${flags}`) };
  });
}

/** The real OTLP exporter, counting spans handed to it and spans whose export failed. */
function countingExporter(counts: { exported: number; failed: number }): SpanExporter {
  const inner = createOtlpExporter(ENDPOINT);
  return {
    export(spans, done) {
      counts.exported += spans.length;
      inner.export(spans, (r) => {
        if (r.code !== 0) counts.failed += spans.length;
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Row { mode: string; cpuNs: number; cpuMin: number; wallNs: number; spans: number; exported: number; failed: number }

async function runMode(mode: Mode): Promise<Row> {
  const counts = { exported: 0, failed: 0 };
  const enabled = mode === 'ratio-0.01' || mode === 'ratio-1' || mode === 'log-in-span';
  const ratio = mode === 'ratio-0.01' ? 0.01 : 1;
  const tracing = startTracing({ serviceName: 'rtap-bench', endpoint: ENDPOINT, sampleRatio: ratio, enabled, exporter: countingExporter(counts) });
  const tracer = tracing.tracer;
  const pool = headerPool(ratio);
  // Synchronous writes to /dev/null: the full cost of a line is paid inside the measured loop.
  const log = createLogger({ service: 'rtap-bench', nodeId: 'node-1', level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
  let sink = 0;
  const work = (i: number): number => (sink = (sink + i) | 0);
  const traced = (i: number): void => {
    const parent = extractKafka(pool[i & (POOL - 1)], ROOT_CONTEXT);
    withSpan(tracer, 'kafka.consume', undefined, parent, (_s, ctx) => withSpan(tracer, 'window.update', undefined, ctx, () => work(i)));
  };
  const logged = (i: number): void => log.info({ partition: i & 15 }, 'window closed');
  const step = mode === 'baseline' ? work : mode === 'log' || mode === 'log-in-span' ? logged : traced;

  async function pass(n: number): Promise<[cpu: number, wall: number]> {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; ) {
      const end = Math.min(n, i + BATCH);
      for (; i < end; i++) step(i);
      await tick();
    }
    const c = process.cpuUsage(c0);
    return [((c.user + c.system) * 1000) / n, Number(process.hrtime.bigint() - t0) / n];
  }
  // log-in-span: every line is logged under one active sampled span, so the mixin adds trace_id/span_id.
  const measure = (n: number): Promise<[number, number]> => {
    if (mode !== 'log-in-span') return pass(n);
    const span = tracer.startSpan('bench');
    return context.with(trace.setSpan(ROOT_CONTEXT, span), () => pass(n)).finally(() => span.end());
  };

  await measure(WARMUP);
  const runs: [number, number][] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await measure(EVENTS));
  await tracing.shutdown();
  const cpu = runs.map((r) => r[0]).sort((a, b) => a - b);
  const wall = runs.map((r) => r[1]).sort((a, b) => a - b);
  const mid = Math.floor(RUNS / 2);
  const spans = step === traced ? (WARMUP + RUNS * EVENTS) * 2 : 0;
  if (sink === 42) console.error(''); // keeps `work` observable
  return { mode, cpuNs: cpu[mid]!, cpuMin: cpu[0]!, wallNs: wall[mid]!, spans, ...counts };
}

function runAll(): void {
  const self = fileURLToPath(import.meta.url);
  const rows = MODES.map((mode) => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(out.trim().split('\n').pop()!) as Row;
  });
  const f = (n: number): string => n.toFixed(0);
  console.log(`${cpus().length} vCPU ${cpus()[0]?.model ?? ''}, Node ${process.version}, ${EVENTS} events × ${RUNS} runs (median; CPU min)\n`);
  console.log('| mode | CPU ns/event | CPU min | wall ns/event | spans started | exported to OTLP (failed) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.mode} | ${f(r.cpuNs)} | ${f(r.cpuMin)} | ${f(r.wallNs)} | ${r.spans} | ${r.exported} (${r.failed}) |`);
}

const mode = process.argv[2];
if (mode === undefined) runAll();
else if ((MODES as readonly string[]).includes(mode)) console.log(JSON.stringify(await runMode(mode as Mode)));
else throw new Error(`unknown mode ${mode}; one of ${MODES.join(', ')}`);
