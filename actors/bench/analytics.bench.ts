// Per-core throughput of each built-in analytic and of decode + everything, on a pre-generated
// stream (the generator's realistic mix, 1 partition). Prints a table, then — as the LAST line —
// one JSON object keyed by analytic (events/s), plus state bytes per active key.
//   npm run bench:analytics   (BENCH_EVENTS=… to change the stream length)
// Each analytic runs in its own child process, so one analytic's JIT state (megamorphic call
// sites in the engine loop, a heap full of another run's garbage) does not skew the next.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RtapEvent } from '../events/types.ts';
import type { Operator, OperatorContext } from '../operator.ts';
import type { OperatorFactory } from '../engine/analytics-engine.ts';
import { AnalyticsEngine } from '../engine/analytics-engine.ts';
import { EventCodec } from '../events/codec.ts';
import { activeUsersAnalytic, builtInWindowAnalytics, conversionsAnalytic, pageViewsAnalytic, sessionsAnalytic } from '../analytics/index.ts';
import { builtInPatterns, burstPattern, cartAbandonmentPattern, funnelPattern } from '../patterns/index.ts';
import { generateEvents } from '../testkit/generator.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 400_000);
const ROUNDS = 3;

const items = [...generateEvents({ seed: 42, partitions: 1, users: 20_000, count: EVENTS, eventsPerSecond: 20_000, badRatio: 0 })];
const events: RtapEvent[] = items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
const codec = new EventCodec();
const encoded = events.map((e) => codec.encode(e));
// Event times are 2026; the engine's future-skew check needs a wall clock past them.
const clock = (): number => Date.UTC(2030, 0, 1);

interface Row {
  name: string;
  eventsPerSec: number;
  /** Events per second of process CPU time (user + system, all threads), best round. */
  eventsPerCpuSec: number;
  results: number;
  stateBytes?: number;
  stateKeys?: number;
}

function single(make: (ctx: OperatorContext, lateness: number) => Operator<RtapEvent>): OperatorFactory {
  return (ctx, time) => [make(ctx, time.allowedLatenessMs)];
}

function run(name: string, operators: OperatorFactory, decode: boolean, stateKeys?: (engine: AnalyticsEngine) => number): Row {
  let best = 0;
  let bestCpu = 0;
  let results = 0;
  let engine: AnalyticsEngine | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    engine = new AnalyticsEngine({ partition: 0, clock, operators, idleTimeoutMs: 0 });
    results = 0;
    const started = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    if (decode) {
      for (let i = 0; i < encoded.length; i++) {
        engine.process(codec.decode(encoded[i] as Buffer), i);
        if ((i & 1023) === 0) results += engine.takeResults().length;
      }
    } else {
      for (let i = 0; i < events.length; i++) {
        engine.process(events[i] as RtapEvent, i);
        if ((i & 1023) === 0) results += engine.takeResults().length;
      }
    }
    results += engine.takeResults().length;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    best = Math.max(best, events.length / seconds);
    bestCpu = Math.max(bestCpu, events.length / ((cpu.user + cpu.system) / 1e6));
  }
  const row: Row = { name, eventsPerSec: Math.round(best), eventsPerCpuSec: Math.round(bestCpu), results };
  if (engine && stateKeys) {
    const keys = stateKeys(engine);
    row.stateKeys = keys;
    row.stateBytes = keys > 0 ? Math.round(engine.snapshot().byteLength / keys) : 0;
  }
  return row;
}

const stat = (op: string, field: string) => (engine: AnalyticsEngine): number => engine.stats()[op]?.[field] ?? 0;

const benches: Record<string, () => Row> = {
  tumbling: () => run('tumbling-count (page-views, 5 s)', single(pageViewsAnalytic), false, stat('page-views', 'paneKeys')),
  sliding: () => run('sliding-distinct (active-users, 60 s / 5 s)', single(activeUsersAnalytic), false),
  conversions: () => run('tumbling-conversions (60 s)', single(conversionsAnalytic), false),
  sessions: () => run('sessions (gap 30 s)', single(sessionsAnalytic), false, stat('sessions', 'sessions')),
  funnel: () => run('funnel pattern', single((ctx) => funnelPattern(ctx)), false),
  cartAbandonment: () => run('cart-abandonment pattern', single((ctx) => cartAbandonmentPattern(ctx)), false),
  burst: () => run('burst pattern', single((ctx) => burstPattern(ctx)), false),
  windowAnalytics: () => run('4 window analytics (pre-decoded)', (ctx, time) => builtInWindowAnalytics(ctx, time.allowedLatenessMs), false),
  allAnalytics: () => run('all analytics + patterns (pre-decoded)', (ctx, time) => [...builtInWindowAnalytics(ctx, time.allowedLatenessMs), ...builtInPatterns(ctx)], false),
  decode: () => run('avro decode only', () => [], true),
  decodeAndWindows: () => run('avro decode + 4 window analytics', (ctx, time) => builtInWindowAnalytics(ctx, time.allowedLatenessMs), true),
  decodeAndAll: () => run('avro decode + all analytics + patterns', (ctx, time) => [...builtInWindowAnalytics(ctx, time.allowedLatenessMs), ...builtInPatterns(ctx)], true),
};

const only = process.env.BENCH_ONLY;
if (only !== undefined) {
  const bench = benches[only];
  if (!bench) throw new Error(`unknown bench ${only}`);
  console.log(JSON.stringify({ key: only, ...bench() }));
  process.exit(0);
}

const rows: Array<Row & { key: string }> = [];
for (const key of Object.keys(benches)) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_ONLY: key }, encoding: 'utf8' });
  const last = out.trim().split('\n').pop() ?? '{}';
  rows.push(JSON.parse(last) as Row & { key: string });
}

console.log(`rtap analytics bench — ${events.length} events, 1 partition, 20k users, Node ${process.version}, best of ${ROUNDS}, one process per row`);
console.log('analytic'.padEnd(46) + 'events/s'.padStart(12) + 'events/cpu-s'.padStart(14) + 'results'.padStart(10) + '  state B/key'.padStart(20));
for (const r of rows) {
  console.log(r.name.padEnd(46) + r.eventsPerSec.toLocaleString('en-US').padStart(12) + r.eventsPerCpuSec.toLocaleString('en-US').padStart(14) + String(r.results).padStart(10) + (r.stateBytes === undefined ? '' : `${r.stateBytes} (${r.stateKeys} keys)`).padStart(20));
}
const summary: Record<string, number> = {};
for (const r of rows) {
  const key = r.key;
  summary[key] = r.eventsPerSec;
  summary[`${key}Cpu`] = r.eventsPerCpuSec;
  if (r.stateBytes !== undefined) summary[`${key}StateBytesPerKey`] = r.stateBytes;
}
console.log(JSON.stringify(summary));
