// How long one partition's checkpoint blocks its event loop: the engine's synchronous snapshot
// (every operator's state to bytes) after a stretch of the load tests' traffic. The pattern
// operators keep state for their whole window (the funnel: 10 minutes), so the state, and the
// stall, grow with the minutes of traffic, not with the rate alone.
//   npm run bench:snapshot   (SNAPSHOT_RATE=events/s of the whole topic, SNAPSHOT_MINUTES=…)
// One partition of 12, as in the load tests (seed 42, 2 000 users, in-order events); median of 5
// snapshots after a warm-up one; per operator, the median of 5 of its own snapshot() calls.
import { AnalyticsEngine } from '../engine/analytics-engine.ts';
import type { Operator } from '../operator.ts';
import type { RtapEvent } from '../events/types.ts';
import { builtInWindowAnalytics } from '../analytics/index.ts';
import { builtInPatterns } from '../patterns/index.ts';
import { generateEvents } from '../testkit/generator.ts';

const RATE = Number(process.env.SNAPSHOT_RATE ?? 5_000);
const MINUTES = Number(process.env.SNAPSHOT_MINUTES ?? 10);
const PARTITIONS = 12;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const timed = (f: () => Uint8Array): { ms: number; bytes: number } => {
  const t = performance.now();
  const bytes = f().byteLength;
  return { ms: performance.now() - t, bytes };
};

const operators: Operator<RtapEvent>[] = [];
const engine = new AnalyticsEngine({
  partition: 0,
  // Event times follow the generator's virtual clock; the engine's future-skew check needs a wall clock past them.
  clock: () => Date.UTC(2030, 0, 1),
  operators: (ctx, time) => {
    operators.push(...builtInWindowAnalytics(ctx, time.allowedLatenessMs), ...builtInPatterns(ctx));
    return operators;
  },
  idleTimeoutMs: 0,
});

let fed = 0;
const count = Math.round(RATE * MINUTES * 60);
for (const item of generateEvents({ seed: 42, users: 2_000, partitions: PARTITIONS, count, eventsPerSecond: RATE, badRatio: 0, burstSpanMs: 0, outOfOrderRatio: 0, lateRatio: 0 })) {
  if (item.partition !== 0 || item.kind !== 'event') continue;
  engine.process(item.event, item.offset);
  if ((++fed & 1023) === 0) engine.takeResults();
}
engine.takeResults();

engine.snapshot(); // warm-up
const runs = Array.from({ length: 5 }, () => timed(() => engine.snapshot()));
console.log(`rtap snapshot bench — partition 0 of ${PARTITIONS} after ${MINUTES} min at ${RATE} events/s (${fed} events), Node ${process.version}`);
console.log(`engine snapshot: ${median(runs.map((r) => r.ms)).toFixed(1)} ms (runs ${runs.map((r) => r.ms.toFixed(1)).join(', ')}), ${runs[0]!.bytes.toLocaleString('en-US')} bytes`);
const summary: Record<string, number> = { engineMs: median(runs.map((r) => r.ms)), engineBytes: runs[0]!.bytes };
for (const op of operators) {
  const r = Array.from({ length: 5 }, () => timed(() => op.snapshot()));
  console.log(`  ${op.name.padEnd(18)} ${median(r.map((x) => x.ms)).toFixed(2).padStart(7)} ms ${r[0]!.bytes.toLocaleString('en-US').padStart(11)} bytes`);
  summary[`${op.name}Ms`] = median(r.map((x) => x.ms));
}
console.log(JSON.stringify(summary));
