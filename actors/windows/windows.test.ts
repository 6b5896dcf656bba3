import { expect } from 'chai';
import type { AnalyticsResult, WindowResult } from '../results.ts';
import type { Operator } from '../operator.ts';
import { PanedWindowOperator } from './paned-window.ts';
import { SessionWindowOperator } from './session-window.ts';
import { standardAggregator } from './aggregations.ts';
import { QuantileSketch } from './quantile-sketch.ts';

interface Ev {
  k: string;
  t: number;
  v: number;
  u: string;
}
const ctx = { partition: 3 };
const ev = (k: string, t: number, v = 1, u = 'x'): Ev => ({ k, t, v, u });

type Collector = { out: WindowResult[]; feed: (e: Ev) => void; wm: (w: number) => void };

function collect(op: Operator<Ev>): Collector {
  const out: WindowResult[] = [];
  const emit = (r: AnalyticsResult): void => {
    if (r.kind === 'window') out.push(r);
  };
  let offset = 0;
  return { out, feed: (e) => op.onEvent(e, offset++, emit), wm: (w) => op.onWatermark(w, emit) };
}

/** Feeds the same input to an operator and to its restored copy: the copy emits what the original emits from then on. */
function expectSameContinuation(original: Collector, restored: Collector, input: (c: Collector) => void): void {
  for (const c of [original, restored]) input(c);
  expect(restored.out).to.deep.equal(original.out.slice(original.out.length - restored.out.length));
}

const tumbling = (lateness = 0): PanedWindowOperator<Ev, ReturnType<ReturnType<typeof standardAggregator<Ev>>['create']>> =>
  new PanedWindowOperator(ctx, {
    name: 'tw',
    sizeMs: 1000,
    key: (e) => e.k,
    eventTime: (e) => e.t,
    aggregator: standardAggregator<Ev>({ value: (e) => e.v, sum: true, min: true, max: true, avg: true, distinct: (e) => e.u, quantiles: [0.5] }),
    allowedLatenessMs: lateness,
  });

describe('PanedWindowOperator', () => {
  it('tumbling: fires every key once the watermark reaches the window end, with all aggregations', () => {
    const { out, feed, wm } = collect(tumbling());
    feed(ev('a', 100, 2, 'u1'));
    feed(ev('a', 900, 4, 'u2'));
    feed(ev('b', 500, 7, 'u1'));
    feed(ev('a', 1500, 1));
    wm(999);
    expect(out).to.have.length(0);
    wm(1000);
    expect(out.map((r) => r.id)).to.deep.equal(['tw|p3|a|0-1000|f0', 'tw|p3|b|0-1000|f0']);
    expect(out[0]?.values).to.deep.include({ count: 2, sum: 6, min: 2, max: 4, avg: 3, distinct: 2 });
    expect(out[0]?.values.p50).to.be.closeTo(2, 0.05);
    expect(out[0]?.trigger).to.equal('final');
    wm(5000);
    expect(out).to.have.length(3);
    expect(out[2]?.windowStart).to.equal(1000);
  });

  it('late events within allowed lateness re-fire the key with the next firing number; after that they are dropped', () => {
    const op = tumbling(2000);
    const { out, feed, wm } = collect(op);
    feed(ev('a', 100));
    wm(1000);
    feed(ev('a', 200));
    feed(ev('c', 300));
    expect(out.map((r) => [r.id, r.trigger, r.values.count])).to.deep.equal([
      ['tw|p3|a|0-1000|f0', 'final', 1],
      ['tw|p3|a|0-1000|f1', 'late', 2],
      ['tw|p3|c|0-1000|f0', 'late', 1],
    ]);
    wm(3000);
    feed(ev('a', 400));
    expect(out).to.have.length(3);
    expect(op.stats().expiredDrops).to.equal(1);
    expect(op.stats().panes).to.equal(0);
  });

  it('sliding: one pane per slide, windows are pane merges (distinct users across panes)', () => {
    const op = new PanedWindowOperator<Ev, ReturnType<ReturnType<typeof standardAggregator<Ev>>['create']>>(ctx, {
      name: 'sw',
      sizeMs: 3000,
      slideMs: 1000,
      key: () => 'all',
      eventTime: (e) => e.t,
      aggregator: standardAggregator<Ev>({ distinct: (e) => e.u }),
      allowedLatenessMs: 0,
    });
    const { out, feed, wm } = collect(op);
    feed(ev('', 500, 1, 'u1'));
    feed(ev('', 1500, 1, 'u2'));
    feed(ev('', 1600, 1, 'u1'));
    feed(ev('', 9500, 1, 'u3'));
    expect(op.stats().panes).to.equal(3);
    wm(20_000);
    expect(out.map((r) => `${r.windowStart}-${r.windowEnd}:${r.values.count}/${r.values.distinct}`)).to.deep.equal([
      '-2000-1000:1/1',
      '-1000-2000:3/2',
      '0-3000:3/2',
      '1000-4000:2/2',
      '7000-10000:1/1',
      '8000-11000:1/1',
      '9000-12000:1/1',
    ]);
  });

  // How fast this is belongs to the benchmark (npm run bench:analytics), not to a unit test.
  it('100k keys snapshot and restore intact', () => {
    const count = (): PanedWindowOperator<Ev, ReturnType<ReturnType<typeof standardAggregator<Ev>>['create']>> =>
      new PanedWindowOperator(ctx, { name: 'c', sizeMs: 1000, key: (e) => e.k, eventTime: (e) => e.t, aggregator: standardAggregator<Ev>({}), allowedLatenessMs: 0 });
    const a = count();
    const c = collect(a);
    for (let i = 0; i < 100_000; i++) c.feed(ev(`key-${i}`, i % 1000));
    const bytes = a.snapshot();
    const b = count();
    b.restore(bytes);
    expect(b.stats().paneKeys).to.equal(100_000);
    expect(Buffer.from(b.snapshot()).equals(Buffer.from(bytes))).to.equal(true);
  });

  it('snapshot/restore gives an identical operator (all aggregations, late state)', () => {
    const a = tumbling(5000);
    const b = tumbling(5000);
    const ca = collect(a);
    for (let i = 0; i < 20_000; i++) ca.feed(ev(`key-${i}`, (i * 7) % 3000, i % 13, `u${i % 101}`));
    ca.wm(1500);
    const bytes = a.snapshot();
    b.restore(bytes);
    expect(Buffer.compare(Buffer.from(b.snapshot()), Buffer.from(bytes))).to.equal(0);
    const cb = collect(b);
    expectSameContinuation(ca, cb, (c) => {
      c.feed(ev('key-5', 100));
      c.feed(ev('late', 2500));
      c.wm(10_000);
    });
    expect(cb.out.length).to.be.greaterThan(10_000);
  });
});

describe('SessionWindowOperator', () => {
  const sessions = (lateness = 0, gap = 1000): SessionWindowOperator<Ev, ReturnType<ReturnType<typeof standardAggregator<Ev>>['create']>> =>
    new SessionWindowOperator(ctx, { name: 'ss', gapMs: gap, key: (e) => e.k, eventTime: (e) => e.t, aggregator: standardAggregator<Ev>({}), allowedLatenessMs: lateness });

  it('closes a session at last event + gap, per key', () => {
    const { out, feed, wm } = collect(sessions());
    feed(ev('a', 0));
    feed(ev('a', 800));
    feed(ev('b', 100));
    feed(ev('a', 2500));
    wm(1799);
    expect(out.map((r) => r.id)).to.deep.equal(['ss|p3|b|100-1100|f0']);
    wm(1800);
    expect(out[1]).to.deep.include({ id: 'ss|p3|a|0-1800|f0', trigger: 'final' });
    expect(out[1]?.values).to.deep.equal({ count: 2, durationMs: 800 });
    wm(3500);
    expect(out[2]?.id).to.equal('ss|p3|a|2500-3500|f0');
  });

  it('an out-of-order event bridging two open sessions merges them', () => {
    const op = sessions();
    const { out, feed, wm } = collect(op);
    feed(ev('a', 0));
    feed(ev('a', 1500));
    expect(op.stats().sessions).to.equal(2);
    feed(ev('a', 900));
    expect(op.stats().sessions).to.equal(1);
    wm(10_000);
    expect(out.map((r) => [r.id, r.values.count])).to.deep.equal([['ss|p3|a|0-2500|f0', 3]]);
  });

  it('late events within lateness extend or merge closed sessions and re-fire them as late', () => {
    const op = sessions(5000);
    const { out, feed, wm } = collect(op);
    feed(ev('a', 0));
    feed(ev('a', 1500));
    wm(3000); // both closed: [0,1000) and [1500,2500)
    feed(ev('a', 900)); // bridges them, still closed → late firing of the merged session
    expect(out.map((r) => [r.id, r.trigger])).to.deep.equal([
      ['ss|p3|a|0-1000|f0', 'final'],
      ['ss|p3|a|1500-2500|f0', 'final'],
      ['ss|p3|a|0-2500|f1', 'late'],
    ]);
    wm(7499);
    expect(op.stats().sessions).to.equal(1);
    wm(7500);
    expect(op.stats().sessions).to.equal(0);
    expect(op.stats().keys).to.equal(0);
  });

  it('100k live sessions snapshot and restore intact', () => {
    const a = sessions(5000, 30_000);
    const c = collect(a);
    for (let i = 0; i < 100_000; i++) c.feed(ev(`user-${i}`, i % 10_000));
    const b = sessions(5000, 30_000);
    const bytes = a.snapshot();
    b.restore(bytes);
    expect(b.stats().sessions).to.equal(100_000);
    expect(Buffer.from(b.snapshot()).equals(Buffer.from(bytes))).to.equal(true);
  });

  it('snapshot/restore preserves sessions, firing numbers and timers', () => {
    const a = sessions(2000);
    const ca = collect(a);
    for (let i = 0; i < 1000; i++) ca.feed(ev(`k${i % 50}`, i * 37));
    ca.wm(20_000);
    const b = sessions(2000);
    b.restore(a.snapshot());
    const cb = collect(b);
    expectSameContinuation(ca, cb, (c) => {
      c.feed(ev('k1', 19_500));
      c.feed(ev('k2', 36_000));
      c.wm(100_000);
    });
  });
});

describe('QuantileSketch', () => {
  it('estimates quantiles within its relative accuracy and merges exactly', () => {
    const all = new QuantileSketch(0.01);
    const left = new QuantileSketch(0.01);
    const right = new QuantileSketch(0.01);
    for (let i = 1; i <= 10_000; i++) {
      all.add(i);
      (i % 2 ? left : right).add(i);
    }
    left.merge(right);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = Math.floor(q * 9999) + 1;
      expect(all.quantile(q)).to.be.closeTo(exact, exact * 0.011);
      expect(left.quantile(q)).to.equal(all.quantile(q));
    }
    expect(QuantileSketch.decode(all.encode()).quantile(0.9)).to.equal(all.quantile(0.9));
    expect(Number.isNaN(new QuantileSketch().quantile(0.5))).to.equal(true);
  });
});

describe('PanedWindowOperator early firings', () => {
  it('emits running values for changed keys at each interval crossing, then final continues the numbering', () => {
    const make = (): PanedWindowOperator<Ev, ReturnType<ReturnType<typeof standardAggregator<Ev>>['create']>> =>
      new PanedWindowOperator(ctx, {
        name: 'ew',
        sizeMs: 10_000,
        key: (e) => e.k,
        eventTime: (e) => e.t,
        aggregator: standardAggregator<Ev>({}),
        allowedLatenessMs: 0,
        earlyFiringIntervalMs: 2000,
      });
    const op = make();
    const { out, feed, wm } = collect(op);
    feed(ev('a', 100));
    feed(ev('b', 200));
    wm(1000); // the first watermark counts as a crossing
    expect(out.map((r) => [r.id, r.trigger, r.values.count])).to.deep.equal([
      ['ew|p3|a|0-10000|f0', 'early', 1],
      ['ew|p3|b|0-10000|f0', 'early', 1],
    ]);
    wm(1900);
    expect(out).to.have.length(2);
    feed(ev('a', 2500));
    wm(2000); // only 'a' changed
    expect(out.slice(2).map((r) => [r.id, r.values.count])).to.deep.equal([['ew|p3|a|0-10000|f1', 2]]);
    const restored = make();
    restored.restore(op.snapshot());
    const c = collect(restored);
    c.wm(10_000);
    expect(c.out.map((r) => [r.id, r.trigger])).to.deep.equal([
      ['ew|p3|a|0-10000|f2', 'final'],
      ['ew|p3|b|0-10000|f1', 'final'],
    ]);
  });
});

describe('PanedWindowOperator updates (processing time)', () => {
  const make = (slideMs?: number, lateness = 0): PanedWindowOperator<Ev, ReturnType<ReturnType<typeof standardAggregator<Ev>>['create']>> =>
    new PanedWindowOperator(ctx, {
      name: 'uw',
      sizeMs: 2000,
      ...(slideMs ? { slideMs } : {}),
      key: (e) => e.k,
      eventTime: (e) => e.t,
      aggregator: standardAggregator<Ev>({}),
      allowedLatenessMs: lateness,
      updates: true,
    });

  it('emits the values so far of the changed keys of open windows, once per call, without touching the firings', () => {
    const op = make();
    const { out, feed, wm } = collect(op);
    const updates: WindowResult[] = [];
    const take = (): WindowResult[] => {
      const before = updates.length;
      op.takeUpdates((r) => r.kind === 'window' && updates.push(r));
      return updates.slice(before);
    };
    feed(ev('a', 100));
    feed(ev('a', 200));
    feed(ev('b', 300));
    expect(take().map((r) => [r.id, r.trigger, r.firing, r.values.count])).to.deep.equal([
      ['uw|p3|a|0-2000|f0|update', 'update', 0, 2],
      ['uw|p3|b|0-2000|f0|update', 'update', 0, 1],
    ]);
    expect(take(), 'nothing changed since').to.deep.equal([]);
    feed(ev('b', 2100)); // next window
    feed(ev('b', 400));
    expect(take().map((r) => [r.key, r.windowStart, r.values.count])).to.deep.equal([
      ['b', 0, 2],
      ['b', 2000, 1],
    ]);
    feed(ev('a', 300));
    wm(2000); // closes [0, 2000): its final firing covers 'a', the pending update is not sent
    expect(take()).to.deep.equal([]);
    expect(out.map((r) => [r.id, r.values.count])).to.deep.equal([
      ['uw|p3|a|0-2000|f0', 3],
      ['uw|p3|b|0-2000|f0', 2],
    ]);
  });

  it('sliding: an event updates every open window holding its pane', () => {
    const op = make(1000);
    const { feed } = collect(op);
    feed(ev('a', 1500));
    const got: WindowResult[] = [];
    op.takeUpdates((r) => r.kind === 'window' && got.push(r));
    expect(got.map((r) => [r.windowStart, r.windowEnd, r.values.count])).to.deep.equal([
      [0, 2000, 1],
      [1000, 3000, 1],
    ]);
  });

  it('late firings number on from the updates, which carry the next firing number', () => {
    const op = make(undefined, 5000);
    const { out, feed, wm } = collect(op);
    feed(ev('a', 100));
    wm(2000);
    feed(ev('a', 150)); // late: fires at once as f1
    expect(out.map((r) => [r.id, r.trigger])).to.deep.equal([
      ['uw|p3|a|0-2000|f0', 'final'],
      ['uw|p3|a|0-2000|f1', 'late'],
    ]);
    const got: WindowResult[] = [];
    op.takeUpdates((r) => r.kind === 'window' && got.push(r));
    expect(got, 'closed windows get no updates').to.deep.equal([]);
  });
});
