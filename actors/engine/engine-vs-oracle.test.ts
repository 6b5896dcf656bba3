import { expect } from 'chai';
import type { AnalyticsResult } from '../results.ts';
import type { EngineOptions } from './analytics-engine.ts';
import type { OracleInput } from '../testkit/oracle.ts';
import { AnalyticsEngine } from './analytics-engine.ts';
import { generateEvents } from '../testkit/generator.ts';
import { splitByPartition } from '../testkit/feed.ts';
import { analyticsOracle } from '../testkit/oracle.ts';
import { SeededRandom } from '../testkit/random.ts';
import { patternOracle } from '../patterns/oracle.ts';
import { withPatterns } from './operators.ts';

const END_OF_INPUT = Number.MAX_SAFE_INTEGER;

/** Runs one partition's inputs through an engine; optionally snapshots and restores into a fresh engine at random points. */
function runEngine(inputs: OracleInput[], opts: Omit<EngineOptions, 'clock'>, createdAt: number, restoreRandom?: SeededRandom): { results: AnalyticsResult[]; late: number[]; rejected: number[] } {
  let now = createdAt;
  const clock = (): number => now;
  let engine = new AnalyticsEngine({ ...opts, clock });
  const results: AnalyticsResult[] = [];
  const late: number[] = [];
  const rejected: number[] = [];
  const drain = (): void => {
    results.push(...engine.takeResults());
    late.push(...engine.takeLate().map((l) => l.offset));
    rejected.push(...engine.takeRejected().map((r) => r.offset));
  };
  for (const input of inputs) {
    if (input.kind === 'event') {
      now = input.wallTime;
      engine.process(input.event, input.offset);
      if (restoreRandom?.chance(0.02)) {
        drain();
        const bytes = engine.snapshot();
        engine = new AnalyticsEngine({ ...opts, clock });
        engine.restore(bytes);
      }
    } else if (input.kind === 'tick') {
      now = input.wallTime;
      engine.tick();
    } else {
      engine.advanceWatermark(input.watermark);
    }
    drain();
  }
  return { results, late, rejected };
}

function byId(results: AnalyticsResult[]): Map<string, AnalyticsResult> {
  const map = new Map<string, AnalyticsResult>();
  const duplicates: string[] = [];
  for (const r of results) {
    if (map.has(r.id)) duplicates.push(r.id);
    map.set(r.id, r);
  }
  expect(duplicates.slice(0, 5), 'duplicate results').to.deep.equal([]);
  return map;
}

/** Same ids, triggers and values (floats within 1e-6). Plain loops: chai per value is too slow here. */
function expectSameResults(actual: AnalyticsResult[], expected: AnalyticsResult[]): void {
  const a = byId(actual);
  const e = byId(expected);
  const missing = [...e.keys()].filter((id) => !a.has(id));
  const extra = [...a.keys()].filter((id) => !e.has(id));
  expect(missing.slice(0, 5), 'missing results').to.deep.equal([]);
  expect(extra.slice(0, 5), 'unexpected results').to.deep.equal([]);
  const wrong: string[] = [];
  for (const [id, r] of e) {
    const got = a.get(id);
    if (!got || got.kind !== 'window' || r.kind !== 'window') continue;
    if (got.trigger !== r.trigger) wrong.push(`${id}: trigger ${got.trigger} != ${r.trigger}`);
    for (const [k, v] of Object.entries(r.values)) {
      const g = got.values[k];
      if (g === undefined || Math.abs(g - v) > 1e-6) wrong.push(`${id}: ${k} ${g} != ${v}`);
    }
    if (Object.keys(got.values).length !== Object.keys(r.values).length) wrong.push(`${id}: value names differ`);
  }
  expect(wrong.slice(0, 5), 'results with wrong values').to.deep.equal([]);
}

/** Adds processing-time ticks between events so idleness rules get exercised. */
function withTicks(inputs: OracleInput[], every: number): OracleInput[] {
  const out: OracleInput[] = [];
  inputs.forEach((input, i) => {
    out.push(input);
    if (input.kind === 'event' && i % every === 0) out.push({ kind: 'tick', wallTime: input.wallTime });
  });
  out.push({ kind: 'watermark', watermark: END_OF_INPUT });
  return out;
}

describe('AnalyticsEngine vs the oracle (property tests on seeded streams)', () => {
  const cases = [
    { seed: 1, count: 6000, eventsPerSecond: 200, users: 40, early: true },
    { seed: 2, count: 8000, eventsPerSecond: 100, users: 25, lateRatio: 0.05, outOfOrderRatio: 0.2, early: true },
    { seed: 3, count: 5000, eventsPerSecond: 20, users: 10, lateRatio: 0.03, quiet: [{ partition: 1, fromMs: 60_000, toMs: 160_000 }] },
    { seed: 4, count: 4000, eventsPerSecond: 2, users: 30, lateRatio: 0.1 },
    // Slow streams with short gaps: late sessions, reopened sessions, merges bridged by late events.
    { seed: 5, count: 3000, eventsPerSecond: 1, users: 5, lateRatio: 0.2, outOfOrderRatio: 0.3, gapMs: 3000, early: true },
    { seed: 6, count: 3000, eventsPerSecond: 3, users: 8, lateRatio: 0.1, outOfOrderRatio: 0.3, gapMs: 2500 },
  ];
  for (const c of cases) {
    it(`seed ${c.seed}${'early' in c ? ' (early firings)' : ''}: identical results, late and rejected events, with and without snapshot/restore`, () => {
      const partitions = 3;
      const items = [...generateEvents({ ...c, partitions })];
      const gap: { gapMs?: number; early?: boolean } = c;
      const early = gap.early ? { pageViews: { earlyFiringIntervalMs: 1000 }, activeUsers: { earlyFiringIntervalMs: 2000 }, conversions: { earlyFiringIntervalMs: 10_000 } } : {};
      const createdAt = items[0]?.wallTime ?? 0;
      const byPartition = splitByPartition(items, partitions, { tickEveryMs: 1000 });
      const engineOpts = { allowedLatenessMs: 5000, idleTimeoutMs: 10_000, analytics: { ...early, sessions: { gapMs: gap.gapMs ?? 20_000 } } };
      let total = 0;
      let idleAdvances = 0;
      byPartition.forEach(({ inputs: raw }, partition) => {
        const inputs = withTicks(raw, 7);
        const expected = analyticsOracle(inputs, { partition, createdAt, ...engineOpts });
        if (c.quiet?.some((q) => q.partition === partition)) idleAdvances += expected.idleAdvances;
        const plain = runEngine(inputs, { partition, ...engineOpts }, createdAt);
        expectSameResults(plain.results, expected.results);
        expect(plain.late).to.deep.equal(expected.late);
        expect(plain.rejected).to.deep.equal(expected.rejected.map((r) => r.offset));
        const restored = runEngine(inputs, { partition, ...engineOpts }, createdAt, new SeededRandom(c.seed * 31 + partition));
        expectSameResults(restored.results, expected.results);
        expect(restored.late).to.deep.equal(expected.late);
        total += expected.results.length;
      });
      expect(total).to.be.greaterThan(50);
      if (c.quiet) expect(idleAdvances, 'the quiet partition went idle').to.be.greaterThan(0);
    });
  }
});

describe('AnalyticsEngine with the CEP patterns (withPatterns) vs both oracles', () => {
  it('window results match analyticsOracle and pattern results match patternOracle on the same admitted input', () => {
    const partitions = 2;
    const items = [...generateEvents({ seed: 11, count: 6000, eventsPerSecond: 50, users: 20, partitions, lateRatio: 0.02, burstRatio: 0.05 })];
    const createdAt = items[0]?.wallTime ?? 0;
    splitByPartition(items, partitions, { tickEveryMs: 500 }).forEach(({ inputs: raw }, partition) => {
      const inputs = withTicks(raw, 5);
      const opts = { allowedLatenessMs: 5000, idleTimeoutMs: 10_000 };
      const windows = analyticsOracle(inputs, { partition, createdAt, ...opts });
      const patterns = patternOracle(windows.patternSteps, partition);
      expect(patterns.length).to.be.greaterThan(0);
      const actual = runEngine(inputs, { partition, ...opts, operators: withPatterns() }, createdAt, new SeededRandom(partition + 100));
      expectSameResults(actual.results, [...windows.results, ...patterns]);
      for (const p of patterns) {
        const got = actual.results.find((r) => r.id === p.id);
        expect(got, p.id).to.deep.equal(p);
      }
    });
  });
});
