/// <reference types="mocha" />
import { expect } from 'chai';
import type { WindowResult } from '../../../actors/results.ts';
import { WindowMerger } from './window-merge.ts';
import { deriveMetrics, totalsPerWindow } from './derive.ts';

function w(analytic: string, partition: number, key: string, start: number, end: number, firing: number, values: Record<string, number>): WindowResult {
  return { kind: 'window', id: `${analytic}|p${partition}|${key}|${start}-${end}|f${firing}`, analytic, partition, key, windowStart: start, windowEnd: end, firing, trigger: firing === 0 ? 'early' : 'final', values };
}

describe('WindowMerger', () => {
  it('sums partitions and lets a partition’s later firing replace its earlier one', () => {
    const m = new WindowMerger();
    expect(m.apply(w('pv', 0, '/a', 0, 5000, 0, { count: 2 }))).to.equal(true);
    m.apply(w('pv', 1, '/a', 0, 5000, 0, { count: 3 }));
    m.apply(w('pv', 0, '/a', 0, 5000, 1, { count: 4 })); // final replaces early
    expect(m.windows('pv')).to.have.length(1);
    expect(m.windows('pv')[0]!.values).to.deep.equal({ count: 7 });
    expect(m.windows('pv')[0]!.partitions).to.equal(2);
  });

  it('ignores duplicates and out-of-order older firings', () => {
    const m = new WindowMerger();
    m.apply(w('pv', 0, '/a', 0, 5000, 2, { count: 9 }));
    expect(m.apply(w('pv', 0, '/a', 0, 5000, 2, { count: 9 }))).to.equal(false);
    expect(m.apply(w('pv', 0, '/a', 0, 5000, 1, { count: 1 }))).to.equal(false);
    expect(m.windows('pv')[0]!.values.count).to.equal(9);
  });

  it('identifies session windows by key and start, keeping the longest', () => {
    const m = new WindowMerger({ sessionAnalytics: new Set(['sessions']) });
    m.apply(w('sessions', 3, 'u1', 1000, 5000, 0, { pageViews: 1 }));
    m.apply(w('sessions', 3, 'u1', 1000, 9000, 0, { pageViews: 3 }));
    m.apply(w('sessions', 3, 'u1', 1000, 7000, 1, { pageViews: 2 })); // superseded by the longer one
    const [s] = m.windows('sessions');
    expect(m.windows('sessions')).to.have.length(1);
    expect(s!.windowEnd).to.equal(9000);
    expect(s!.values.pageViews).to.equal(3);
  });

  it('seeds windows from history, and lets live data replace them', () => {
    const m = new WindowMerger();
    expect(m.seed('pv', '/a', 0, 5000, { count: 40 })).to.equal(true);
    m.seed('pv', '/a', 5000, 10000, { count: 50 });
    expect(m.windows('pv').map((x) => x.values.count)).to.deep.equal([40, 50]);
    m.apply(w('pv', 3, '/a', 5000, 10000, 0, { count: 7 }));
    expect(m.windows('pv').map((x) => x.values.count)).to.deep.equal([40, 7]);
    expect(m.seed('pv', '/a', 5000, 10000, { count: 99 })).to.equal(false); // live data wins
  });

  it('prunes windows older than the retention, relative to the newest data', () => {
    const m = new WindowMerger({ retentionMs: 10_000 });
    m.apply(w('pv', 0, '/a', 0, 5000, 0, { count: 1 }));
    m.apply(w('pv', 0, '/a', 20_000, 25_000, 0, { count: 1 }));
    m.prune();
    expect(m.windows('pv').map((x) => x.windowStart)).to.deep.equal([20_000]);
  });
});

describe('deriveMetrics', () => {
  it('computes page views per second from the last complete window, top pages, conversion rate', () => {
    const m = new WindowMerger({ sessionAnalytics: new Set(['sessions']) });
    m.apply(w('page-views', 0, '/home', 0, 5000, 0, { count: 30 }));
    m.apply(w('page-views', 1, '/cart', 0, 5000, 0, { count: 20 }));
    m.apply(w('page-views', 0, '/home', 5000, 10000, 0, { count: 5 })); // still filling
    m.apply(w('conversions', 0, 'all', 0, 60000, 0, { conversions: 2, revenue: 50, users: 10 }));
    m.apply(w('conversions', 1, 'all', 0, 60000, 0, { conversions: 1, revenue: 25, users: 20 }));
    m.apply(w('sessions', 0, 'u1', 0, 30000, 0, { pageViews: 4 }));
    m.apply(w('sessions', 1, 'u2', 0, 10000, 0, { pageViews: 2 }));
    const d = deriveMetrics(m);
    expect(d.pageViews.perSecond).to.equal(10);
    expect(d.pageViews.series).to.deep.equal([10]);
    expect(d.pageViews.topPages[0]).to.deep.equal({ page: '/home', count: 35 });
    expect(d.conversions.conversions).to.equal(3);
    expect(d.conversions.revenue).to.equal(75);
    expect(d.conversions.rate).to.equal(0.1);
    expect(d.sessions).to.deep.equal({ count: 2, avgDurationMs: 20000, pagesPerSession: 3 });
  });

  it('totalsPerWindow sums keys of the same window', () => {
    const m = new WindowMerger();
    m.apply(w('x', 0, 'a', 0, 10, 0, { n: 1 }));
    m.apply(w('x', 0, 'b', 0, 10, 0, { n: 2 }));
    expect(totalsPerWindow(m.windows('x'), 'n')).to.deep.equal([{ windowStart: 0, windowEnd: 10, value: 3 }]);
  });
});
