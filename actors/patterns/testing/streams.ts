// Seeded random RtapEvent streams for property tests: a realistic page mix, interleaved users,
// bounded arrival disorder, bot bursts, and a lagging watermark (so some events arrive late).
import type { RtapEvent } from '../../events/types.ts';
import { Prng } from '../../cep/testing/prng.ts';
import type { OracleStep } from '../oracle.ts';

export interface StreamShape {
  readonly users: number;
  readonly events: number;
  /** Max gap between a user's consecutive events, ms. */
  readonly maxGapMs: number;
  /** Max arrival disorder, ms; the watermark lags the max seen time by this much (sometimes less). */
  readonly disorderMs: number;
  /** Chance that an event starts a bot burst. */
  readonly burstChance: number;
}

export function randomSteps(seed: number, shape: StreamShape): OracleStep[] {
  const rng = new Prng(seed);
  const clocks = new Array<number>(shape.users).fill(1_000_000);
  const made: { event: RtapEvent; arrival: number }[] = [];
  let n = 0;
  const make = (u: number, time: number): RtapEvent => {
    const base = { eventId: `e${n++}`, userId: `user${u}`, sessionId: `s${u}`, eventTime: time, source: 'test' };
    const r = rng.next();
    if (r < 0.35) return { ...base, type: 'PageView', page: `/product/${rng.int(1, 5)}`, referrer: null };
    if (r < 0.55) return { ...base, type: 'PageView', page: '/cart', referrer: null };
    if (r < 0.65) return { ...base, type: 'PageView', page: rng.pick(['/', '/search', '/products', '/cart/x']), referrer: null };
    if (r < 0.8) return { ...base, type: 'Conversion', orderId: `o${n}`, value: rng.int(1, 100), currency: 'EUR' };
    if (r < 0.9) return { ...base, type: 'Session', action: rng.pick(['start', 'end'] as const) };
    return { ...base, type: 'Custom', name: 'click', attributes: {} };
  };
  while (made.length < shape.events) {
    const u = rng.int(0, shape.users - 1);
    let t = (clocks[u] ?? 0) + rng.int(0, shape.maxGapMs);
    if (rng.next() < shape.burstChance) {
      const k = rng.int(3, 30);
      for (let i = 0; i < k; i++) {
        t += rng.int(0, 60);
        made.push({ event: make(u, t), arrival: t + rng.int(0, shape.disorderMs) });
      }
    } else made.push({ event: make(u, t), arrival: t + rng.int(0, shape.disorderMs) });
    clocks[u] = t;
  }
  made.sort((a, b) => a.arrival - b.arrival);
  const steps: OracleStep[] = [];
  let maxSeen = -Infinity;
  made.forEach((m, offset) => {
    steps.push({ event: m.event, offset });
    maxSeen = Math.max(maxSeen, m.event.eventTime);
    if (rng.next() < 0.1) steps.push({ watermark: maxSeen - rng.int(0, shape.disorderMs) });
  });
  steps.push({ watermark: maxSeen + rng.int(0, 2 * shape.maxGapMs) });
  return steps;
}
