// The built-in patterns: hand-written cases, then the NFA operators against the brute-force
// oracle on seeded random streams (ids included), with and without snapshot/restore.
import { expect } from 'chai';
import type { RtapEvent } from '../events/types.ts';
import type { Operator } from '../operator.ts';
import type { PatternResult } from '../results.ts';
import { Prng } from '../cep/testing/prng.ts';
import { drive } from '../cep/testing/drive.ts';
import { cepOperator } from '../cep/operator.ts';
import { funnelDefinition } from './definitions.ts';
import { byUser } from './predicates.ts';
import { builtInPatterns, burstPattern, cartAbandonmentPattern, funnelPattern, patternOracle } from './index.ts';
import type { BuiltInPatternOptions, OracleStep } from './index.ts';
import { randomSteps } from './testing/streams.ts';
import type { StreamShape } from './testing/streams.ts';

let nextId = 0;
function ev(userId: string, eventTime: number, what: string): RtapEvent {
  const base = { eventId: `h${nextId++}`, userId, sessionId: 's', eventTime, source: 't' };
  if (what === 'buy') return { ...base, type: 'Conversion', orderId: 'o', value: 1, currency: 'EUR' };
  if (what === 'start') return { ...base, type: 'Session', action: 'start' };
  return { ...base, type: 'PageView', page: what, referrer: null };
}

/** Steps for events given as [user, time, what], in that arrival order, then a final watermark. */
function steps(events: [string, number, string][], watermark: number): OracleStep[] {
  return [...events.map(([u, t, w], offset) => ({ event: ev(u, t, w), offset })), { watermark }];
}

const ids = (rs: PatternResult[]): string[] => rs.map((r) => r.id);
const MIN = 60_000;

function runAll(make: () => Operator<RtapEvent>[], s: readonly OracleStep[], restoreAt?: Set<number>): PatternResult[] {
  const ops = [0, 1, 2];
  return ops.flatMap((i) => drive(() => make()[i] as Operator<RtapEvent>, s, restoreAt));
}

const byId = (a: PatternResult, b: PatternResult): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('built-in patterns: definitions', () => {
  const ctx = { partition: 3 };

  it('funnel: product -> cart -> conversion within 10 min, one conversion closes one funnel', () => {
    const s = steps([
      ['u', 1000, '/product/1'], ['u', 2000, '/product/2'], ['u', 3000, '/home'], ['u', 4000, '/cart'],
      ['u', 5000, 'buy'], ['u', 6000, 'buy'], ['v', 1000, '/product/9'], ['v', 2000, '/cart'], ['v', 1000 + 10 * MIN, 'buy'],
    ], 20 * MIN);
    const out = drive(() => funnelPattern(ctx), s);
    expect(ids(out)).to.deep.equal(['funnel|p3|0.3.4']);
    expect(out[0]).to.include({ status: 'matched', key: 'u', startTime: 1000, endTime: 5000, pattern: 'funnel', partition: 3 });
    expect(out[0]?.eventIds).to.have.length(3);
  });

  it('funnel: /products and /cart/x do not count; the window is configurable', () => {
    const s = steps([['u', 1, '/products'], ['u', 2, '/cart/x'], ['u', 3, '/product'], ['u', 4, '/cart'], ['u', 60, 'buy']], 100);
    expect(ids(drive(() => funnelPattern(ctx), s))).to.deep.equal(['funnel|p3|2.3.4']);
    expect(ids(drive(() => funnelPattern(ctx, { withinMs: 57 }), s))).to.deep.equal([]);
  });

  it('cart abandonment: emitted when the watermark passes cart + 5 min, unless a conversion came', () => {
    const events: [string, number, string][] = [
      ['u', 1000, '/cart'], ['v', 1000, '/cart'], ['v', 1000 + 5 * MIN - 1, 'buy'], ['w', 1000, '/cart'], ['w', 1000 + 5 * MIN, 'buy'],
    ];
    expect(ids(drive(() => cartAbandonmentPattern(ctx), steps(events, 1000 + 5 * MIN - 1)))).to.deep.equal([]);
    const out = drive(() => cartAbandonmentPattern(ctx), steps(events, 1000 + 5 * MIN));
    expect(ids(out).sort()).to.deep.equal(['cartAbandonment|p3|0', 'cartAbandonment|p3|3']);
    expect(out[0]).to.include({ status: 'matched', startTime: 1000, endTime: 1000 + 5 * MIN });
  });

  it('burst: 20 events within 1 s raise one alert per 20 events', () => {
    const many: [string, number, string][] = [];
    for (let i = 0; i < 45; i++) many.push(['bot', 10_000 + i * 10, 'start']);
    for (let i = 0; i < 20; i++) many.push(['slow', 10_000 + i * 60, 'start']); // spans 1140 ms
    const out = drive(() => burstPattern(ctx), steps(many, 100_000));
    expect(out.map((r) => [r.key, r.offsets[0], r.offsets.length])).to.deep.equal([['bot', 0, 20], ['bot', 20, 20]]);
    expect(ids(drive(() => burstPattern(ctx, { threshold: 5, windowMs: 300 }), steps(many, 100_000)))).to.have.length(9 + 4);
  });

  it('events are evaluated in event-time order whatever the arrival order; late ones are dropped', () => {
    const ordered = steps([['u', 1000, '/product/1'], ['u', 2000, '/cart'], ['u', 3000, 'buy']], 10_000);
    const shuffled: OracleStep[] = [ordered[2], ordered[0], ordered[1], ordered[3]] as OracleStep[];
    expect(ids(drive(() => funnelPattern(ctx), shuffled))).to.deep.equal(['funnel|p3|0.1.2']);
    const late: OracleStep[] = [ordered[0], ordered[1], { watermark: 5000 }, ordered[2], ordered[3]] as OracleStep[];
    const op = funnelPattern(ctx);
    expect(drive(() => op, late)).to.deep.equal([]);
    expect(op.stats().lateDropped).to.equal(1);
  });

  it('an event at the watermark is on time: an in-order stream with bound 0 loses none that share a millisecond', () => {
    // Each event moves the watermark to its own time (out-of-orderness 0), as the load test runs:
    // the cart and the conversion arrive when the watermark already stands at their millisecond.
    const inOrder: OracleStep[] = [];
    ([['u', 1000, '/product/1'], ['u', 1000, '/cart'], ['u', 1000, 'buy'], ['v', 2000, '/product/2'], ['v', 2000, '/cart'], ['v', 2001, 'buy']] as const)
      .forEach(([u, t, w], offset) => inOrder.push({ event: ev(u, t, w), offset }, { watermark: t }));
    const want = ['funnel|p3|0.1.2', 'funnel|p3|3.4.5'];
    expect(ids(patternOracle(inOrder, 3)).filter((id) => id.startsWith('funnel'))).to.deep.equal(want);
    const fast = funnelPattern(ctx);
    expect(ids(drive(() => fast, inOrder))).to.deep.equal(want);
    expect(fast.stats().lateDropped).to.equal(0);
    const nfa = cepOperator(funnelDefinition(), { name: 'funnel', partition: 3, key: byUser });
    expect(ids(drive(() => nfa, inOrder))).to.deep.equal(want);
    expect(nfa.stats().lateDropped).to.equal(0);
  });

  it('bounds partial matches per key and counts evictions', () => {
    const events: [string, number, string][] = [];
    for (let i = 0; i < 10; i++) events.push(['u', 1000 + i, '/product/1']);
    const op = funnelPattern(ctx, { maxPartialsPerKey: 4 });
    drive(() => op, steps(events, 2000));
    expect(op.stats()).to.include({ partials: 4, evictions: 6, keys: 1 });
  });

  it('builtInPatterns returns the three operators', () => {
    expect(builtInPatterns(ctx).map((o) => o.name)).to.deep.equal(['funnel', 'cartAbandonment', 'burst']);
  });
});

describe('built-in patterns: NFA == oracle on random streams', () => {
  const shapes: [string, StreamShape, BuiltInPatternOptions | undefined][] = [
    ['default parameters', { users: 8, events: 3000, maxGapMs: 90_000, disorderMs: 20_000, burstChance: 0.02 }, undefined],
    ['small windows', { users: 5, events: 2000, maxGapMs: 400, disorderMs: 300, burstChance: 0.05 },
      { funnel: { withinMs: 2000 }, cartAbandonment: { timeoutMs: 1000 }, burst: { threshold: 4, windowMs: 100 } }],
  ];
  for (const [label, shape, opts] of shapes) {
    for (let seed = 1; seed <= 12; seed++) {
      it(`${label}, seed ${seed}: same results, same ids; snapshot/restore changes nothing`, () => {
        const s = randomSteps(seed * 7919, shape);
        const make = (): Operator<RtapEvent>[] => builtInPatterns({ partition: 1 }, opts);
        const live = runAll(make, s);
        const expected = patternOracle(s, 1, opts);
        expect(new Set(ids(live)).size, 'no duplicates').to.equal(live.length);
        expect([...live].sort(byId)).to.deep.equal([...expected].sort(byId));
        for (const p of ['funnel', 'cartAbandonment', 'burst']) {
          expect(expected.some((r) => r.pattern === p), `the stream exercises ${p}`).to.equal(true);
        }
        const rng = new Prng(seed);
        const restoreAt = new Set<number>();
        for (let i = 0; i < 8; i++) restoreAt.add(rng.int(0, s.length - 1));
        expect(runAll(make, s, restoreAt)).to.deep.equal(live);
      });
    }
  }
});
