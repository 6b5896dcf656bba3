import { expect } from 'chai';
import type { PatternResult, WindowResult } from '../actors/results.ts';
import { ReplayBuffer } from './replay-buffer.ts';

const w = (key: string, firing: number): WindowResult => ({
  kind: 'window', id: `pv|p0|${key}|0-5000|f${firing}`, analytic: 'pv', partition: 0, key, windowStart: 0, windowEnd: 5000, firing, trigger: 'early', values: { count: firing },
});
const p = (n: number): PatternResult => ({
  kind: 'pattern', id: `burst|p0|${n}`, pattern: 'burst', partition: 0, key: 'u', status: 'matched', eventIds: [], offsets: [n], startTime: 0, endTime: n,
});
const ids = (b: ReplayBuffer, now = 0): string[] => b.snapshot(now).map((r) => r.id);

describe('ReplayBuffer', () => {
  it('keeps the last N, oldest first', () => {
    const b = new ReplayBuffer(3, 60_000);
    for (let i = 1; i <= 5; i++) b.push(p(i), 0);
    expect(ids(b)).to.deep.equal(['burst|p0|3', 'burst|p0|4', 'burst|p0|5']);
    expect(b.size).to.equal(3);
  });

  it('replaces an earlier firing of the same window (moving it to the newest), never with an older one', () => {
    const b = new ReplayBuffer(10, 60_000);
    b.push(w('/a', 0), 0);
    b.push(w('/b', 0), 0);
    b.push(w('/a', 1), 0);
    b.push(w('/a', 0), 0); // late duplicate of an older firing
    expect(ids(b)).to.deep.equal(['pv|p0|/b|0-5000|f0', 'pv|p0|/a|0-5000|f1']);
  });

  it('drops results older than maxAgeMs', () => {
    const b = new ReplayBuffer(10, 1000);
    b.push(p(1), 0);
    b.push(p(2), 900);
    expect(ids(b, 1500)).to.deep.equal(['burst|p0|2']);
  });

  it('holds nothing when max is 0', () => {
    const b = new ReplayBuffer(0, 1000);
    b.push(p(1), 0);
    expect(b.size).to.equal(0);
  });
});
