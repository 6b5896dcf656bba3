/// <reference types="mocha" />
import { expect } from 'chai';
import { backoffDelay } from './backoff.ts';
import { RecentList } from './recent-list.ts';

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters within ±20 %', () => {
    expect(backoffDelay(0, 500, 15000, () => 0.5)).to.equal(500);
    expect(backoffDelay(3, 500, 15000, () => 0.5)).to.equal(4000);
    expect(backoffDelay(20, 500, 15000, () => 0.5)).to.equal(15000);
    expect(backoffDelay(1, 500, 15000, () => 0)).to.equal(800);
    expect(backoffDelay(1, 500, 15000, () => 1)).to.equal(1200);
  });
});

describe('RecentList', () => {
  it('keeps the newest items first, each id once, bounded', () => {
    const l = new RecentList<{ id: string; t: number }>(3);
    expect(l.addAll([{ id: 'a', t: 1 }, { id: 'b', t: 2 }], (x) => x.t)).to.equal(true);
    expect(l.addAll([{ id: 'a', t: 1 }], (x) => x.t)).to.equal(false);
    l.addAll([{ id: 'c', t: 3 }, { id: 'd', t: 4 }], (x) => x.t);
    expect(l.list().map((x) => x.id)).to.deep.equal(['d', 'c', 'b']);
  });
});
