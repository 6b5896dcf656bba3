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

  it('matches a plain model over 200 000 random pushes, replacements and expiries, in bounded space', () => {
    const b = new ReplayBuffer(50, 2_000);
    const model: { key: string; at: number; item: WindowResult | PatternResult }[] = [];
    const firings = new Map<string, number>();
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    for (let t = 0; t < 200_000; t++) {
      const now = t; // one ms a push: expiry drops the entries of the last 2 s
      let item: WindowResult | PatternResult;
      let key: string;
      if (rnd(3) === 0) {
        item = p(t);
        key = `p|${item.id}`;
      } else {
        const k = `/${rnd(80)}`;
        const f = (firings.get(k) ?? 0) + (rnd(4) === 0 ? -1 : 1); // now and then an older firing, which must not replace
        item = w(k, f);
        key = `w|pv|0|${k}|0|5000`;
        const cur = model.find((m) => m.key === key);
        if (cur && (cur.item as WindowResult).firing >= f) {
          b.push(item, now);
          continue;
        }
        firings.set(k, f);
      }
      b.push(item, now);
      const i = model.findIndex((m) => m.key === key);
      if (i >= 0) model.splice(i, 1);
      model.push({ key, at: now, item });
      if (model.length > 50) model.shift();
      if (t % 997 === 0) {
        while (model.length > 0 && now - model[0]!.at > 2_000) model.shift();
        expect(ids(b, now)).to.deep.equal(model.map((m) => m.item.id));
      }
    }
    expect(b.slots).to.be.below(2 * 50 + 1024 + 2_050);
  });

  it('holds nothing when max is 0', () => {
    const b = new ReplayBuffer(0, 1000);
    b.push(p(1), 0);
    expect(b.size).to.equal(0);
  });
});
