import { expect } from 'chai';

import { emptySummary, LatencyRecorder } from './latency-recorder.ts';

/** HDR with 3 significant digits: within 0.1 % (plus the 1 µs unit). */
const near = (actual: number, expected: number): void => {
  expect(actual).to.be.closeTo(expected, expected * 0.001 + 0.001);
};

describe('LatencyRecorder', () => {
  it('reports percentiles of 1..1000 ms in ms', () => {
    const r = new LatencyRecorder();
    for (let ms = 1; ms <= 1000; ms++) r.record(ms);
    const s = r.summary();
    expect(s.count).to.equal(1000);
    near(s.p50, 500);
    near(s.p95, 950);
    near(s.p99, 990);
    near(s.p999, 999);
    near(s.max, 1000);
    near(s.mean, 500.5);
    // 3 decimals at most
    for (const v of [s.p50, s.p95, s.p99, s.p999, s.max, s.mean]) expect(Math.round(v * 1000) / 1000).to.equal(v);
  });

  it('keeps sub-millisecond resolution (microseconds)', () => {
    const r = new LatencyRecorder();
    r.record(0.25);
    r.record(0.75);
    const s = r.summary();
    expect(s.p50).to.equal(0.25);
    expect(s.max).to.equal(0.75);
  });

  it('counts negative values (clock skew) as 0 and clamps values beyond an hour', () => {
    const r = new LatencyRecorder();
    r.record(-5);
    r.record(-0.001);
    r.record(10 * 3_600_000);
    const s = r.summary();
    expect(s.count).to.equal(3);
    expect(s.p50).to.equal(0);
    near(s.max, 3_600_000);
  });

  it('summarizes each interval on its own and keeps the total', () => {
    const r = new LatencyRecorder();
    expect(r.takeInterval()).to.equal(null);
    for (let i = 0; i < 100; i++) r.record(10);
    const first = r.takeInterval();
    expect(first?.count).to.equal(100);
    near(first?.p99 ?? NaN, 10);
    expect(r.takeInterval()).to.equal(null);

    r.record(200);
    r.record(300);
    const second = r.takeInterval();
    expect(second?.count).to.equal(2);
    near(second?.p50 ?? NaN, 200);
    near(second?.max ?? NaN, 300);

    const total = r.summary();
    expect(total.count).to.equal(102);
    near(total.p50, 10);
    near(total.max, 300);
  });

  it('keeps warm-up values out of the total, not out of their interval', () => {
    const r = new LatencyRecorder();
    r.record(500, false);
    r.record(10);
    expect(r.takeInterval()?.count).to.equal(2);
    expect(r.summary().count).to.equal(1);
    near(r.summary().max, 10);
  });

  it('keeps no intervals when asked for the total only', () => {
    const r = new LatencyRecorder(false);
    r.record(3);
    r.record(4, false);
    expect(r.takeInterval()).to.equal(null);
    expect(r.summary().count).to.equal(1);
  });

  it('summarizes nothing as zeros', () => {
    expect(new LatencyRecorder().summary()).to.deep.equal(emptySummary());
    expect(emptySummary()).to.deep.equal({ count: 0, p50: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 });
  });
});
