import { expect } from 'chai';
import type { LatencySummary, SecondSample } from './report/types.ts';
import { judge, lagTrendPerS, requirementFromEnv } from './requirements.ts';

const summary = (p99: number, count = 1000): LatencySummary => ({ count, p50: p99 / 4, p95: p99 / 2, p99, p999: p99 * 2, max: p99 * 3, mean: p99 / 3 });
const second = (t: number, lag: number): SecondSample => ({ t, target: 100, sent: 100, processed: 100, lag, updates: null, alerts: null, cpu: {}, rssMb: {} });
const report = (over: { p99?: [number, number]; achieved?: number; lags?: number[]; finalLag?: number } = {}) => {
  const lags = over.lags ?? [5, 9, 2, 7, 4, 8, 3, 6];
  return {
    scenario: 't',
    warmupS: 2,
    events: { targetPerS: 50_000, achievedPerS: over.achieved ?? 50_010, sent: 1, processed: 1, badRecords: 0, dlq: 0, errors: 0, errorRate: 0 },
    latency: { updates: summary(over.p99?.[0] ?? 20), alerts: summary(over.p99?.[1] ?? 22) },
    lag: { max: Math.max(...lags), final: over.finalLag ?? 0 },
    seconds: lags.map((lag, i) => second(i + 1, lag)),
  };
};

describe('load-test requirements (make test-latency, make test-throughput)', () => {
  it('reads CHECK and P99_MS, and names a bad key', () => {
    expect(requirementFromEnv({})).to.equal(undefined);
    expect(requirementFromEnv({ CHECK: 'latency' })).to.deep.equal({ kind: 'latency', p99Ms: 25 });
    expect(requirementFromEnv({ CHECK: 'latency', P99_MS: '40' })).to.deep.equal({ kind: 'latency', p99Ms: 40 });
    expect(requirementFromEnv({ CHECK: 'throughput' })).to.deep.equal({ kind: 'throughput' });
    expect(() => requirementFromEnv({ CHECK: 'speed' })).to.throw(/CHECK must be latency or throughput/);
    expect(() => requirementFromEnv({ CHECK: 'latency', P99_MS: 'fast' })).to.throw(/P99_MS must be a positive number/);
  });

  it('latency: both p99s at most the bound', () => {
    expect(judge(report({ p99: [25, 24] }), { kind: 'latency', p99Ms: 25 }).ok).to.equal(true);
    const v = judge(report({ p99: [20, 107.5] }), { kind: 'latency', p99Ms: 25 });
    expect(v.ok).to.equal(false);
    expect(v.lines[2]).to.match(/^FAIL alerts p99 107\.5 ms \(≤ 25 ms\)/);
  });

  it('latency: only at the target rate (a generator that fell behind offered less)', () => {
    const v = judge(report({ achieved: 40_656, p99: [20, 22] }), { kind: 'latency', p99Ms: 25 });
    expect(v.ok).to.equal(false);
    expect(v.lines[0]).to.match(/^FAIL offered 40656\/s \(≥ 99 % of the target 50000\/s\)/);
  });

  it('latency: nothing measured is a failure, not a pass', () => {
    const r = report();
    r.latency.alerts = summary(0, 0);
    expect(judge(r, { kind: 'latency', p99Ms: 25 }).ok).to.equal(false);
  });

  it('throughput: the rate offered, a lag without trend, drained after the load', () => {
    expect(judge(report(), { kind: 'throughput' }).ok).to.equal(true);
    expect(judge(report({ achieved: 49_000 }), { kind: 'throughput' }).ok).to.equal(false);
    expect(judge(report({ finalLag: 12 }), { kind: 'throughput' }).ok).to.equal(false);
    // Growing by 1 500 records a second (3 % of 50 000/s): unbounded.
    const growing = judge(report({ lags: [0, 1500, 3000, 4500, 6000, 7500, 9000, 10500] }), { kind: 'throughput' });
    expect(growing.ok).to.equal(false);
    expect(growing.lines[1]).to.match(/^FAIL lag trend 1500 records\/s/);
  });

  it('the lag trend is the least-squares slope over the measured seconds only', () => {
    const seconds = [second(1, 90_000), second(2, 80_000), second(3, 10), second(4, 20), second(5, 30)];
    expect(lagTrendPerS(seconds, 2)).to.be.closeTo(10, 1e-9);
    expect(lagTrendPerS([second(3, 5)], 2)).to.equal(0);
  });
});
