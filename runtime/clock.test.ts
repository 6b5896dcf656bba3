import { expect } from 'chai';
import { ManualClock } from './clock.ts';
import { backoffDelay } from './supervision.ts';

describe('ManualClock', () => {
  it('fires due timers in time order, including ones scheduled while advancing', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimeout(cancelled);
    clock.advance(19);
    expect(fired).to.deep.equal(['a@10', 'c@15']);
    clock.advance(1);
    expect(fired).to.deep.equal(['a@10', 'c@15', 'b@20']);
    expect(clock.now()).to.equal(20);
    expect(clock.pendingTimers).to.equal(0);
  });
});

describe('backoffDelay', () => {
  it('doubles from min to max and adds bounded jitter', () => {
    const b = { minMs: 100, maxMs: 1000, randomFactor: 0.5 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(b, n, () => 0))).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(b, 1, () => 1)).to.equal(300);
  });
});
