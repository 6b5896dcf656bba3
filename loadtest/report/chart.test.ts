import { expect } from 'chai';

import { renderChart, shortNumber } from './chart.ts';
import { makeReport, second } from './test-fixtures.ts';

function expectWellFormed(svg: string): void {
  expect(svg.startsWith('<svg')).to.equal(true);
  expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
  expect(svg).to.contain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg).to.not.match(/NaN|Infinity|undefined/);
  // every opened element is closed or self-closing
  const opened = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
  const closed = (svg.match(/<\/[a-z]+>/g) ?? []).length;
  expect(opened).to.equal(closed);
}

/** The numbers of every path's d attribute. */
const pathNumbers = (svg: string): number[] =>
  [...svg.matchAll(/<path d="([^"]*)"/g)].flatMap((m) => (m[1] ?? '').split(/[ML ]+/).filter(Boolean).map(Number));

describe('renderChart', () => {
  it('renders an empty run as axes and a "no samples" note', () => {
    const svg = renderChart(makeReport({ seconds: [] }));
    expectWellFormed(svg);
    expect(svg).to.contain('no samples');
    expect(svg).to.contain('steady');
  });

  it('renders a single sample as dots', () => {
    const svg = renderChart(makeReport({ seconds: [second(1)] }));
    expectWellFormed(svg);
    expect(svg).to.contain('<path');
    expect((svg.match(/<circle/g) ?? []).length).to.equal(7); // 3 latency + 4 throughput series
  });

  it('renders many samples inside the plot, with gaps where nothing arrived', () => {
    const seconds = Array.from({ length: 120 }, (_, i) =>
      second(i + 1, {
        updates: i >= 50 && i < 60 ? null : { count: 10, p50: 2 + i / 10, p95: 5, p99: 8 + i, p999: 20, max: 30, mean: 3 },
        alerts: null,
        sent: 9_000 + i * 10,
        lag: i * 100,
      }),
    );
    const svg = renderChart(makeReport({ seconds }));
    expectWellFormed(svg);
    const nums = pathNumbers(svg);
    expect(nums.length).to.be.greaterThan(500);
    for (const n of nums) expect(n).to.be.within(0, 900);
    // the updates p99 path restarts after the 10-second gap
    const p99 = /<path d="([^"]*)"[^>]*stroke="#1f5fa8"/.exec(svg)?.[1] ?? '';
    expect(p99.match(/M/g)?.length).to.equal(2);
    // axis labels: latency in ms (log decades), events/s, lag on the right
    expect(svg).to.match(/>10 ms</);
    expect(svg).to.match(/>100 ms</);
    expect(svg).to.match(/>10k</);
    expect(svg).to.match(/>12\.5k</); // 5 % headroom above 10k, not a misleading 13k
    expect(svg).to.contain('consumer lag');
    expect(svg).to.contain('alerts p99');
  });

  it('shades the warm-up, in both panels, only when there is one', () => {
    const seconds = Array.from({ length: 60 }, (_, i) => second(i + 1));
    const shaded = renderChart(makeReport({ seconds, warmupS: 10 }));
    expectWellFormed(shaded);
    expect(shaded).to.contain('warm-up');
    expect((shaded.match(/<rect [^>]*fill="rgba\(134, 142, 150, 0.12\)"/g) ?? []).length).to.equal(2);
    expect(renderChart(makeReport({ seconds, warmupS: 0 }))).to.not.contain('warm-up');
  });

  it('escapes text and survives junk numbers', () => {
    const svg = renderChart(makeReport({ scenario: 'a<b&"c"', seconds: [second(1, { sent: Number.NaN, lag: Number.POSITIVE_INFINITY }), second(2)] }));
    expectWellFormed(svg);
    expect(svg).to.contain('a&lt;b&amp;&quot;c&quot;');
  });

  it('abbreviates axis numbers', () => {
    expect([950, 12_300, 12_500, 1_500_000, 2.5, 0, 123_456].map(shortNumber)).to.deep.equal(['950', '12.3k', '12.5k', '1.5M', '2.5', '0', '123k']);
  });
});
