import { expect } from 'chai';
import { RateSchedule } from './rate-schedule.ts';
import { niceOf, resolveScenario, SCENARIOS, steadySegments, tracingOf } from './scenarios.ts';
import { generateEvents } from '../actors/testkit/index.ts';

describe('RateSchedule', () => {
  it('places each step at its due time across rate changes, and counts the steps due by a time', () => {
    const s = new RateSchedule(1_000_000, [
      { fromS: 0, rate: 100 },
      { fromS: 2, rate: 1_000 },
    ]);
    expect(s.wallTimeOf(0)).to.equal(1_000_000);
    expect(s.wallTimeOf(150)).to.equal(1_001_500);
    expect(s.wallTimeOf(200)).to.equal(1_002_000); // the first step of the second segment
    expect(s.wallTimeOf(1_200)).to.equal(1_003_000);
    expect(s.stepsBefore(1)).to.equal(100);
    expect(s.stepsBefore(3)).to.equal(1_200);
    expect(s.rateAt(1.5)).to.equal(100);
    expect(s.rateAt(2)).to.equal(1_000);
  });

  it('appends steps while running (max), and refuses steps that go back in time or stop', () => {
    const s = new RateSchedule(0, [{ fromS: 0, rate: 10 }]);
    s.append(5, 20);
    expect(s.wallTimeOf(50)).to.equal(5_000);
    expect(s.wallTimeOf(70)).to.equal(6_000);
    expect(() => s.append(5, 30)).to.throw(/must start after 5 s/);
    expect(() => s.append(9, 0)).to.throw(/rate must be > 0/);
    expect(() => new RateSchedule(0, [{ fromS: 1, rate: 1 }])).to.throw(/start at 0 s/);
  });

  it('drives the generator: the same schedule gives the same stream, event time = due time', () => {
    const s = new RateSchedule(Date.UTC(2026, 0, 1), [{ fromS: 0, rate: 500 }, { fromS: 1, rate: 2_000 }]);
    const opts = { seed: 3, count: 2_000, schedule: s.wallTimeOf, outOfOrderRatio: 0, lateRatio: 0, burstSpanMs: 0 };
    const a = [...generateEvents(opts)];
    const b = [...generateEvents(opts)];
    expect(b).to.deep.equal(a);
    for (const item of a) if (item.kind === 'event') expect(item.event.eventTime).to.equal(item.wallTime);
    expect(a.every((item, i) => i === 0 || item.wallTime >= a[i - 1]!.wallTime), 'due times never go back').to.equal(true);
  });
});

describe('load-test scenarios', () => {
  it('has every scenario the issue names, each bounded', () => {
    for (const name of ['normal', 'peak', 'stress', '10k', '50k', 'max', 'soak', 'spike', 'failover', 'fanout']) {
      const s = SCENARIOS[name];
      expect(s, name).to.not.equal(undefined);
      expect(s!.durationS, name).to.be.within(1, 3_600);
    }
    expect(SCENARIOS.normal!.rate).to.equal(200);
  });

  it('ramps a steady scenario up over the first half of its warm-up, then holds the rate', () => {
    expect(steadySegments(600, 10)).to.deep.equal([
      { fromS: 0, rate: 100 },
      { fromS: 1, rate: 200 },
      { fromS: 2, rate: 300 },
      { fromS: 3, rate: 400 },
      { fromS: 4, rate: 500 },
      { fromS: 5, rate: 600 },
    ]);
    expect(steadySegments(1_000, 3), 'the short smoke warm-up').to.deep.equal([
      { fromS: 0, rate: 500 },
      { fromS: 1, rate: 1_000 },
    ]);
    expect(SCENARIOS['10k']!.segments.at(-1)).to.deep.equal({ fromS: 5, rate: 10_000 });
  });

  it('applies DURATION, RATE and NODES, and names a bad value or scenario', () => {
    const s = resolveScenario('10k', { DURATION: '30', RATE: '2000', NODES: '3', PARTITIONS: '4' });
    expect([s.durationS, s.rate, s.segments, s.nodes, s.partitions]).to.deep.equal([30, 2_000, steadySegments(2_000, 10), 3, 4]);
    expect(resolveScenario('10k', {}).partitions, 'as many as make cluster-up creates').to.equal(12);
    expect(SCENARIOS['10k']!.durationS, 'the definition is not modified: 60 s after a 10 s warm-up').to.equal(70);
    expect(() => resolveScenario('10k', { DURATION: '10' })).to.throw(/DURATION must exceed the 10 s warm-up of '10k'/);
    expect(() => resolveScenario('10k', { DURATION: '10.4' }), 'rounds to 10').to.throw(/DURATION must exceed/);
    expect(() => resolveScenario('10k', { RATE: 'fast' })).to.throw(/RATE must be a positive number/);
    expect(() => resolveScenario('spike', { RATE: '5' })).to.throw(/steady scenarios only/);
    for (const bad of ['2.5', '257']) expect(() => resolveScenario('10k', { PARTITIONS: bad })).to.throw(new RegExp(`PARTITIONS must be an integer from 1 to 256 \\(got ${bad}\\)`));
    expect(() => resolveScenario('nope', {})).to.throw(/unknown SCENARIO 'nope'; one of: smoke, normal/);
  });

  it('yields the cores at nice 10 unless NICE says otherwise, and names a bad value', () => {
    expect([niceOf({}), niceOf({ NICE: '' }), niceOf({ NICE: '0' }), niceOf({ NICE: '19' })]).to.deep.equal([10, 10, 0, 19]);
    for (const bad of ['-1', '20', '2.5', 'low']) expect(() => niceOf({ NICE: bad })).to.throw(new RegExp(`NICE must be an integer from 0 to 19 \\(got '${bad}'\\)`));
    // The scenarios whose generator must win the cores to offer its rate, or that start a node mid-run, do not yield.
    expect(Object.values(SCENARIOS).filter((s) => s.yieldCores).map((s) => s.name)).to.deep.equal(['smoke', 'normal', 'peak', 'stress', '10k', 'soak']);
  });

  it('runs traced unless TRACING=0, and names a bad value', () => {
    expect([tracingOf({}), tracingOf({ TRACING: '' }), tracingOf({ TRACING: '1' }), tracingOf({ TRACING: '0' })]).to.deep.equal([true, true, true, false]);
    expect(() => tracingOf({ TRACING: 'off' })).to.throw(/TRACING must be 0 or 1 \(got 'off'\)/);
  });
});
