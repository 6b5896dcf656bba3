import { expect } from 'chai';
import { afterStep, type StepVerdict } from './knee.ts';

const max = { startRate: 200, factor: 1.25, stepS: 15, maxSteps: 4, p99LimitMs: 100 };
const step = (ratePerS: number, p99: number, lagGrowthPerS = 0): StepVerdict => ({ ratePerS, p99, lagGrowthPerS, ok: p99 <= 100 && lagGrowthPerS <= ratePerS * 0.01 });

describe('max: the knee search', () => {
  it('raises the rate after a step that held', () => {
    expect(afterStep([step(200, 40)], max)).to.deep.equal({ nextRatePerS: 250 });
  });

  it('repeats a step that broke a bound once, and goes on when the repeat holds', () => {
    expect(afterStep([step(200, 40), step(250, 180)], max)).to.deep.equal({ nextRatePerS: 250 });
    expect(afterStep([step(200, 40), step(250, 180), step(250, 45)], max)).to.deep.equal({ nextRatePerS: 312.5 });
  });

  it('reports the knee when the repeat breaks a bound too: the highest rate that held', () => {
    expect(afterStep([step(200, 40), step(250, 180), step(250, 130)], max)).to.deep.equal({ knee: { ratePerS: 200, reason: 'at 250/s: p99 130.0 ms > 100 ms, twice in a row' } });
    expect(afterStep([step(200, 40), step(250, 50, 90), step(250, 50, 80)], max)).to.deep.equal({ knee: { ratePerS: 200, reason: 'at 250/s: lag grew 80/s, twice in a row' } });
  });

  it('stops at the step limit (distinct rates; repeats do not count)', () => {
    expect(afterStep([step(200, 1), step(250, 1), step(312.5, 200), step(312.5, 1)], max)).to.deep.equal({ nextRatePerS: 390.625 });
    expect(afterStep([step(200, 1), step(250, 1), step(312.5, 1), step(390.625, 1)], max)).to.deep.equal({ knee: { ratePerS: 390.625, reason: 'no knee up to 391/s (step limit)' } });
  });
});
