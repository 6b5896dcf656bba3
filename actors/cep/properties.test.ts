// Property tests of the engine on random patterns and streams: a brute-force reference for
// single-event stages, arrival-order invariance, and snapshot/restore invariance.
import { expect } from 'chai';
import type { PatternResult } from '../results.ts';
import { AfterMatchSkip, Pattern } from './pattern.ts';
import type { AfterMatchSkipStrategy, Contiguity } from './pattern.ts';
import { drive } from './testing/drive.ts';
import type { Step } from './testing/drive.ts';
import { is, op } from './testing/letters.ts';
import type { Letter } from './testing/letters.ts';
import { Prng } from './testing/prng.ts';

const ALPHABET = ['a', 'b', 'c', 'd'];

function randomLetters(rng: Prng, n: number, keys: number): Letter[] {
  let t = 0;
  return Array.from({ length: n }, (_, i) => {
    t += rng.int(0, 3);
    return { eventId: `x${i}`, eventTime: t + 1, userId: `k${rng.int(1, keys)}`, name: rng.pick(ALPHABET) };
  });
}

/**
 * Arrival order shuffled within `lag` ms; watermark = max seen - lag - 1 now and then (so no
 * event is ever late: a later arrival is at most `lag` older than anything before it), then a final one.
 */
function arrivals(rng: Prng, events: Letter[], lag: number): Step<Letter>[] {
  const withOffsets = events.map((event, offset) => ({ event, offset, at: event.eventTime + rng.int(0, lag) }));
  withOffsets.sort((x, y) => x.at - y.at || x.offset - y.offset);
  const steps: Step<Letter>[] = [];
  let max = 0;
  for (const x of withOffsets) {
    steps.push({ event: x.event, offset: x.offset });
    max = Math.max(max, x.event.eventTime);
    if (rng.next() < 0.2) steps.push({ watermark: max - lag - 1 });
  }
  steps.push({ watermark: max + 1000 });
  return steps;
}

/** Reference for noSkip patterns of single-event stages: plain recursion over index tuples. */
function reference(events: Letter[], stages: { letter: string; contiguity: Contiguity }[], within: number): string[] {
  const out: string[] = [];
  const byKey = new Map<string, { e: Letter; offset: number }[]>();
  events.forEach((e, offset) => byKey.set(e.userId, [...(byKey.get(e.userId) ?? []), { e, offset }]));
  for (const list of byKey.values()) {
    list.sort((x, y) => x.e.eventTime - y.e.eventTime || x.offset - y.offset);
    const extend = (chosen: number[]): void => {
      const k = chosen.length;
      const first = list[chosen[0] ?? 0];
      const last = chosen[k - 1] ?? -1;
      if (k === stages.length) {
        out.push(chosen.map((i) => list[i]?.offset).join('.'));
        return;
      }
      const st = stages[k];
      if (st === undefined) return;
      for (let i = last + 1; i < list.length; i++) {
        const x = list[i];
        if (x === undefined) break;
        if (first !== undefined && k > 0 && x.e.eventTime - first.e.eventTime >= within) break;
        const ok = is(st.letter)(x.e);
        if (k > 0 && st.contiguity === 'strict') {
          if (ok) extend([...chosen, i]);
          break;
        }
        if (ok) {
          extend([...chosen, i]);
          if (k > 0 && st.contiguity === 'relaxed') break;
        }
        if (k === 0) continue;
      }
    };
    extend([]);
  }
  return out.sort();
}

function build(stages: { letter: string; contiguity: Contiguity }[], within: number, skip?: AfterMatchSkipStrategy): Pattern<Letter> {
  const [head, ...tail] = stages;
  let p = Pattern.begin<Letter>('s0', skip).where(is(head?.letter ?? 'a'));
  tail.forEach((s, i) => {
    const name = `s${i + 1}`;
    const next = s.contiguity === 'strict' ? p.next(name) : s.contiguity === 'relaxed' ? p.followedBy(name) : p.followedByAny(name);
    p = next.where(is(s.letter));
  });
  return p.within(within);
}

const offsetsOf = (rs: PatternResult[]): string[] => rs.map((r) => r.offsets.join('.')).sort();

describe('cep engine properties', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}: single-event stages equal the brute-force reference, in any arrival order`, () => {
      const rng = new Prng(seed);
      const stages = Array.from({ length: rng.int(2, 4) }, () => ({
        letter: rng.pick(ALPHABET), contiguity: rng.pick(['strict', 'relaxed', 'any'] as const),
      }));
      const within = rng.int(5, 40);
      const events = randomLetters(rng, 120, 3);
      const steps = arrivals(rng, events, rng.int(0, 10));
      const live = drive(op(build(stages, within)), steps);
      expect(offsetsOf(live)).to.deep.equal(reference(events, stages, within));
    });
  }

  const looping = (rng: Prng): Pattern<Letter> => {
    const skip = rng.pick([
      AfterMatchSkip.noSkip(), AfterMatchSkip.skipToNext(), AfterMatchSkip.skipPastLastEvent(),
      AfterMatchSkip.skipToFirst('b'), AfterMatchSkip.skipToLast('b'),
    ]);
    const max = rng.int(1, 3);
    let b = Pattern.begin<Letter>('a', skip).where(is('a')).followedBy('b').where(is('b')).times(1, max);
    if (max > 1 && rng.next() < 0.5) b = b.consecutive();
    const optional = rng.next() < 0.3;
    if (optional) b = b.optional();
    const ending = max === 1 && !optional ? rng.int(0, 2) : 0; // negations need a fixed stage before them
    const c = ending === 0 ? b.followedBy('c').where(is('c'))
      : ending === 1 ? b.notFollowedBy('nd').where(is('d')).followedBy('c').where(is('c'))
      : b.notFollowedBy('nd').where(is('d'));
    return c.within(rng.int(10, 60));
  };

  for (let seed = 1; seed <= 25; seed++) {
    it(`seed ${seed}: loops, negation, skip strategies, timeouts: arrival order and snapshot/restore change nothing`, () => {
      const rng = new Prng(1000 + seed);
      const pattern = looping(rng);
      const events = randomLetters(rng, 150, 3);
      const inOrder = arrivals(new Prng(seed), events, 0);
      const shuffled = arrivals(new Prng(seed + 1), events, 8);
      const make = op(pattern, { emitTimeouts: true, maxPartialsPerKey: 50 });
      const expected = drive(make, inOrder);
      expect(drive(make, shuffled).map((r) => r.id).sort()).to.deep.equal(expected.map((r) => r.id).sort());
      const restoreAt = new Set(Array.from({ length: 6 }, () => rng.int(0, shuffled.length - 1)));
      expect(drive(make, shuffled, restoreAt)).to.deep.equal(drive(make, shuffled));
      expect(new Set(expected.map((r) => r.id)).size).to.equal(expected.length);
    });
  }
});
