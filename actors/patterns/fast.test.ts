// The specialised built-in operators (fast.ts) against the generic NFA operator running the same
// DSL definitions: identical emissions in identical order, identical stats after every step,
// with evictions, odd parameters and snapshot/restore into the other implementation's twin.
import { expect } from 'chai';
import type { RtapEvent } from '../events/types.ts';
import type { Operator } from '../operator.ts';
import type { AnalyticsResult } from '../results.ts';
import { cepOperator } from '../cep/operator.ts';
import { replay } from '../cep/testing/drive.ts';
import { Prng } from '../cep/testing/prng.ts';
import { burstDefinition, cartAbandonmentDefinition, funnelDefinition } from './definitions.ts';
import { burstPattern, cartAbandonmentPattern, funnelPattern } from './index.ts';
import type { OracleStep } from './oracle.ts';
import { byUser } from './predicates.ts';
import { randomSteps } from './testing/streams.ts';
import type { StreamShape } from './testing/streams.ts';

interface Params { within: number; threshold: number; max?: number }

const makers: Record<string, { fast: (p: Params) => Operator<RtapEvent>; nfa: (p: Params) => Operator<RtapEvent> }> = {
  funnel: {
    fast: (p) => funnelPattern({ partition: 2 }, { withinMs: p.within, maxPartialsPerKey: p.max }),
    nfa: (p) => cepOperator(funnelDefinition(p.within), { name: 'funnel', partition: 2, key: byUser, maxPartialsPerKey: p.max }),
  },
  cartAbandonment: {
    fast: (p) => cartAbandonmentPattern({ partition: 2 }, { timeoutMs: p.within, maxPartialsPerKey: p.max }),
    nfa: (p) => cepOperator(cartAbandonmentDefinition(p.within), { name: 'cartAbandonment', partition: 2, key: byUser, maxPartialsPerKey: p.max }),
  },
  burst: {
    fast: (p) => burstPattern({ partition: 2 }, { threshold: p.threshold, windowMs: p.within, maxPartialsPerKey: p.max }),
    nfa: (p) => cepOperator(burstDefinition(p.threshold, p.within), { name: 'burst', partition: 2, key: byUser, maxPartialsPerKey: p.max }),
  },
};

/** Emissions, and stats after every step (a snapshot/restore at the steps in restoreAt). */
function trace(make: () => Operator<RtapEvent>, steps: readonly OracleStep[], restoreAt: ReadonlySet<number>): unknown[] {
  const out: unknown[] = [];
  replay(make, steps, restoreAt, (r: AnalyticsResult): void => { out.push(r); }, (op) => { out.push(JSON.stringify(op.stats())); });
  return out;
}

describe('built-in patterns: specialised operators == generic NFA operator', () => {
  const shapes: [string, StreamShape, Params[]][] = [
    ['default windows', { users: 6, events: 2500, maxGapMs: 90_000, disorderMs: 20_000, burstChance: 0.03 },
      [{ within: 600_000, threshold: 20 }, { within: 300_000, threshold: 20 }, { within: 1000, threshold: 20, max: 3 }]],
    ['small windows', { users: 4, events: 2500, maxGapMs: 400, disorderMs: 300, burstChance: 0.05 },
      [{ within: 2000, threshold: 4 }, { within: 100, threshold: 1 }, { within: 1000, threshold: 3, max: 2 }, { within: 5000, threshold: 30, max: 1 },
        { within: Infinity, threshold: 5, max: 7 }]],
    // Long per-user histories: expiry and eviction drop long prefixes (array compaction paths).
    ['busy users', { users: 2, events: 3000, maxGapMs: 60, disorderMs: 500, burstChance: 0.05 },
      [{ within: 3000, threshold: 150 }, { within: 3000, threshold: 40, max: 50 }]],
  ];
  for (const [label, shape, paramsList] of shapes) {
    for (let seed = 1; seed <= 6; seed++) {
      it(`${label}, seed ${seed}`, () => {
        const s = randomSteps(seed * 104_729, shape);
        const rng = new Prng(seed);
        const restoreAt = new Set<number>();
        for (let i = 0; i < 6; i++) restoreAt.add(rng.int(0, s.length - 1));
        for (const p of paramsList) {
          for (const [name, m] of Object.entries(makers)) {
            if (name === 'cartAbandonment' && !Number.isFinite(p.within)) continue;
            const expected = trace(() => m.nfa(p), s, new Set());
            const got = trace(() => m.fast(p), s, new Set());
            expect(got, `${name} ${JSON.stringify(p)}`).to.deep.equal(expected);
            expect(trace(() => m.fast(p), s, restoreAt), `${name} restored`).to.deep.equal(expected);
          }
        }
      });
    }
  }

  it('restores snapshots of the previous format (deadline queue as [time, key] pairs)', () => {
    const steps = randomSteps(7, { users: 6, events: 1500, maxGapMs: 90_000, disorderMs: 20_000, burstChance: 0.03 });
    const half = Math.floor(steps.length / 2);
    /** Rewrites a snapshot into the previous format: version `to`, deadlines as pairs. */
    const downgrade = (bytes: Uint8Array, from: unknown, to: unknown): Uint8Array => {
      const enc = JSON.parse(new TextDecoder().decode(bytes)) as { v: unknown; deadlines: { keys: string[]; key: number[]; dt: number[] } };
      expect(enc.v).to.equal(from);
      let t = 0;
      const pairs = enc.deadlines.dt.map((dt, i) => [(t += dt), enc.deadlines.keys[enc.deadlines.key[i]!]]);
      expect(pairs.length, 'a non-empty queue').to.be.greaterThan(0);
      return new TextEncoder().encode(JSON.stringify({ ...enc, v: to, deadlines: pairs }));
    };
    const p = { within: 300_000, threshold: 20 };
    for (const [name, m] of Object.entries(makers)) {
      const impls: [string, () => Operator<RtapEvent>, unknown, unknown][] = [
        ['fast', () => m.fast(p), `fast2:${name}`, `fast1:${name}`],
        ['nfa', () => m.nfa(p), 3, 2],
      ];
      for (const [impl, make, from, to] of impls) {
        const live = make();
        replay(() => live, steps.slice(0, half), new Set(), () => undefined);
        const restored = make();
        restored.restore(downgrade(live.snapshot(), from, to));
        const rest = steps.slice(half);
        expect(trace(() => restored, rest, new Set()), `${impl} ${name}`).to.deep.equal(trace(() => live, rest, new Set()));
      }
    }
  });

  it('rejects the same parameters as the DSL', () => {
    expect(() => funnelPattern({ partition: 0 }, { withinMs: 0 })).to.throw('within(0)');
    expect(() => burstPattern({ partition: 0 }, { threshold: 1.5 })).to.throw('times(1.5');
    expect(() => cartAbandonmentPattern({ partition: 0 }, { maxPartialsPerKey: 0 })).to.throw('maxPartialsPerKey');
  });
});
