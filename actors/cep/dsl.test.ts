// DSL semantics against hand-written streams, mirroring FlinkCEP's documented examples.
import { expect } from 'chai';
import { AfterMatchSkip, Pattern } from './pattern.ts';
import type { AfterMatchSkipStrategy } from './pattern.ts';
import { is, matches } from './testing/letters.ts';
import type { Letter } from './testing/letters.ts';

const sorted = (xs: string[]): string[] => [...xs].sort();
const num = (e: Letter): number => Number(e.name.slice(1));

describe('cep DSL: contiguity', () => {
  const base = Pattern.begin<Letter>('a').where(is('a'));
  const stream = ['a', 'c', 'b1', 'b2'];

  it('next (strict): the event after a must be b', () => {
    expect(matches(base.next('b').where(is('b')), stream)).to.deep.equal([]);
    expect(matches(base.next('b').where(is('b')), ['a', 'b1', 'b2'])).to.deep.equal(['a b1']);
  });

  it('followedBy (relaxed): skips non-matching events up to the first match', () => {
    expect(matches(base.followedBy('b').where(is('b')), stream)).to.deep.equal(['a b1']);
  });

  it('followedByAny (non-deterministic relaxed): every later match', () => {
    expect(matches(base.followedByAny('b').where(is('b')), stream)).to.deep.equal(['a b1', 'a b2']);
  });
});

describe('cep DSL: looping stages', () => {
  // FlinkCEP docs: C D A1 A2 A3 D A4 B with c a+ b
  const stream = ['c', 'd', 'a1', 'a2', 'a3', 'd', 'a4', 'b'];
  const loop = (): Pattern<Letter> =>
    Pattern.begin<Letter>('start').where(is('c')).followedBy('middle').where(is('a')).oneOrMore();
  const end = (p: Pattern<Letter>): Pattern<Letter> => p.followedBy('end').where(is('b'));

  it('oneOrMore, relaxed inner contiguity (default)', () => {
    expect(sorted(matches(end(loop()), stream))).to.deep.equal(sorted([
      'c a1 b', 'c a1 a2 b', 'c a1 a2 a3 b', 'c a1 a2 a3 a4 b',
    ]));
  });

  it('consecutive(): strict inner contiguity', () => {
    expect(sorted(matches(end(loop().consecutive()), stream))).to.deep.equal(sorted([
      'c a1 b', 'c a1 a2 b', 'c a1 a2 a3 b',
    ]));
  });

  it('allowCombinations(): non-deterministic inner contiguity', () => {
    expect(sorted(matches(end(loop().allowCombinations()), stream))).to.deep.equal(sorted([
      'c a1 b', 'c a1 a2 b', 'c a1 a3 b', 'c a1 a4 b', 'c a1 a2 a3 b', 'c a1 a2 a4 b', 'c a1 a3 a4 b', 'c a1 a2 a3 a4 b',
    ]));
  });

  it('a b+ at the end emits every extension (no skip)', () => {
    const p = Pattern.begin<Letter>('a').where(is('a')).followedBy('b').where(is('b')).oneOrMore();
    expect(matches(p, ['a', 'b1', 'b2', 'b3'])).to.deep.equal(['a b1', 'a b1 b2', 'a b1 b2 b3']);
  });

  it('times(n), times(from, to), timesOrMore(n)', () => {
    const b = Pattern.begin<Letter>('b').where(is('b'));
    expect(matches(b.times(2), ['b1', 'b2', 'b3'])).to.deep.equal(['b1 b2', 'b2 b3']);
    expect(matches(b.times(2, 3), ['b1', 'b2', 'b3'])).to.deep.equal(['b1 b2', 'b1 b2 b3', 'b2 b3']);
    expect(matches(b.timesOrMore(2), ['b1', 'b2', 'b3'])).to.deep.equal(['b1 b2', 'b1 b2 b3', 'b2 b3']);
    expect(matches(b.times(3), ['b1', 'x', 'b2', 'b3'])).to.deep.equal(['b1 b2 b3']);
    expect(matches(b.times(3).consecutive(), ['b1', 'x', 'b2', 'b3'])).to.deep.equal([]);
  });

  it('optional(): a b? c matches with and without b, never twice', () => {
    const p = Pattern.begin<Letter>('a').where(is('a')).followedBy('b').where(is('b')).optional()
      .followedBy('c').where(is('c'));
    expect(matches(p, ['a', 'x', 'c'])).to.deep.equal(['a c']);
    expect(sorted(matches(p, ['a', 'b', 'c']))).to.deep.equal(['a b c', 'a c']);
  });

  it('greedy(): the loop proceeds only on an event it cannot take', () => {
    const p = (greedy: boolean): Pattern<Letter> => {
      const loop = Pattern.begin<Letter>('a').where(is('a')).followedBy('b').where(is('x')).oneOrMore();
      return (greedy ? loop.greedy() : loop).followedBy('c').where(is('x')).or(is('y'));
    };
    expect(matches(p(false), ['a', 'x1', 'x2', 'y'])).to.deep.equal(['a x1 x2', 'a x1 x2 y']);
    expect(matches(p(true), ['a', 'x1', 'x2', 'y'])).to.deep.equal(['a x1 x2 y']);
  });

  it('until(): a matching event closes the loop', () => {
    const p = (withUntil: boolean): Pattern<Letter> => {
      const loop = Pattern.begin<Letter>('b').where(is('b')).oneOrMore();
      return (withUntil ? loop.until(is('u')) : loop).followedBy('c').where(is('c'));
    };
    const stream = ['b1', 'b2', 'u', 'b3', 'c'];
    expect(sorted(matches(p(true), stream))).to.deep.equal(sorted(['b1 c', 'b1 b2 c', 'b2 c', 'b3 c']));
    expect(sorted(matches(p(false), stream))).to.deep.equal(sorted([
      'b1 c', 'b1 b2 c', 'b1 b2 b3 c', 'b2 c', 'b2 b3 c', 'b3 c',
    ]));
  });
});

describe('cep DSL: conditions', () => {
  it('where() ANDs, or() ORs', () => {
    const p = Pattern.begin<Letter>('x').where(is('a')).or(is('b')).where((e) => e.name.endsWith('1'));
    expect(matches(p, ['a1', 'a2', 'b1', 'c1'])).to.deep.equal(['a1', 'b1']);
  });

  it('iterative conditions see the events already matched', () => {
    // b must be larger than the a it follows
    const p = Pattern.begin<Letter>('a').where(is('a'))
      .followedBy('b').where((e, ctx) => is('b')(e) && num(e) > num(ctx.eventsFor('a')[0] ?? e));
    expect(matches(p, ['a5', 'b3', 'b7'])).to.deep.equal(['a5 b7']);
    // a running budget over a loop: the b's sum must stay <= 10
    const budget = Pattern.begin<Letter>('a').where(is('a')).followedBy('b')
      .where((e, ctx) => is('b')(e) && ctx.eventsFor('b').reduce((s, x) => s + num(x), num(e)) <= 10).oneOrMore()
      .followedBy('c').where(is('c'));
    expect(sorted(matches(budget, ['a', 'b4', 'b5', 'b3', 'c']))).to.deep.equal(['a b4 b5 c', 'a b4 c']);
  });
});

describe('cep DSL: negation', () => {
  const a = Pattern.begin<Letter>('a').where(is('a'));

  it('notNext: the event right after a must not be b', () => {
    const p = a.notNext('nb').where(is('b')).followedBy('c').where(is('c'));
    expect(matches(p, ['a', 'b', 'c'])).to.deep.equal([]);
    expect(matches(p, ['a', 'x', 'c'])).to.deep.equal(['a c']);
    expect(matches(p, ['a', 'x', 'b', 'c'])).to.deep.equal(['a c']);
  });

  it('notFollowedBy between stages: no b between a and c', () => {
    const p = a.notFollowedBy('nb').where(is('b')).followedBy('c').where(is('c'));
    expect(matches(p, ['a', 'x', 'b', 'c'])).to.deep.equal([]);
    expect(matches(p, ['a', 'x', 'c', 'b'])).to.deep.equal(['a c']);
  });

  it('notFollowedBy at the end completes when the window expires', () => {
    const p = a.notFollowedBy('nb').where(is('b')).within(10);
    expect(matches(p, ['a', 'x', 'b'], { times: [1, 3, 5] })).to.deep.equal([]);
    expect(matches(p, ['a', 'x', 'b'], { times: [1, 3, 11] })).to.deep.equal(['a']); // 11 - 1 >= 10: too late
    expect(matches(p, ['a'], { times: [1], watermark: 10 })).to.deep.equal([]); // window still open
    expect(matches(p, ['a'], { times: [1], watermark: 11 })).to.deep.equal(['a']);
  });

  it('rejects negations the engine gives no meaning to', () => {
    expect(() => matches(a.notFollowedBy('nb').where(is('b')), ['a'])).to.throw(/within/);
    expect(() => matches(a.notNext('nb').where(is('b')), ['a'])).to.throw(/notNext/);
    expect(() => matches(a.oneOrMore().notFollowedBy('nb').where(is('b')).followedBy('c'), ['a'])).to.throw(/fixed count/);
    expect(() => Pattern.begin<Letter>('a').greedy()).to.throw(/looping/);
    expect(() => a.followedBy('a')).to.throw(/duplicate/);
  });
});

describe('cep DSL: within and timeouts', () => {
  const p = Pattern.begin<Letter>('a').where(is('a')).followedBy('b').where(is('b')).within(5);

  it('a match must fit in the window (last - first < within)', () => {
    expect(matches(p, ['a', 'b'], { times: [1, 5] })).to.deep.equal(['a b']);
    expect(matches(p, ['a', 'b'], { times: [1, 6] })).to.deep.equal([]);
  });

  it('timed-out partial matches are reported when asked for', () => {
    expect(matches(p, ['a', 'b'], { times: [1, 6], emitTimeouts: true })).to.deep.equal(['timeout: a']);
    expect(matches(p, ['a'], { times: [1], emitTimeouts: true, watermark: 5 })).to.deep.equal([]);
    expect(matches(p, ['a'], { times: [1], emitTimeouts: true, watermark: 6 })).to.deep.equal(['timeout: a']);
  });

  it('reports one timeout per distinct event chain', () => {
    const loop = Pattern.begin<Letter>('a').where(is('a')).followedBy('b').where(is('b')).oneOrMore()
      .followedBy('c').where(is('c')).within(100);
    // (b, 1) and (c, 0) both hold "a b1"; followedBy consumed b1, so no partial holds just "a"
    expect(matches(loop, ['a', 'b1', 'x'], { emitTimeouts: true })).to.deep.equal(['timeout: a b1']);
    expect(matches(loop, ['a', 'b1', 'x', 'b2', 'c'], { emitTimeouts: true, times: [1, 2, 3, 4, 200] }))
      .to.deep.equal(['timeout: a b1 b2', 'timeout: a b1']);
  });
});

describe('cep DSL: after-match skip strategies', () => {
  // FlinkCEP docs: pattern b+ c (contiguous b's, c right after them) on b1 b2 b3 c
  const run = (skip: AfterMatchSkipStrategy): string[] => matches(
    Pattern.begin<Letter>('b', skip).where(is('b')).oneOrMore().consecutive().next('c').where(is('c')),
    ['b1', 'b2', 'b3', 'c'],
  );

  it('noSkip', () => expect(run(AfterMatchSkip.noSkip())).to.deep.equal(['b1 b2 b3 c', 'b2 b3 c', 'b3 c']));
  it('skipToNext', () => expect(run(AfterMatchSkip.skipToNext())).to.deep.equal(['b1 b2 b3 c', 'b2 b3 c', 'b3 c']));
  it('skipPastLastEvent', () => expect(run(AfterMatchSkip.skipPastLastEvent())).to.deep.equal(['b1 b2 b3 c']));
  it('skipToFirst(b)', () => expect(run(AfterMatchSkip.skipToFirst('b'))).to.deep.equal(['b1 b2 b3 c', 'b2 b3 c', 'b3 c']));
  it('skipToLast(b)', () => expect(run(AfterMatchSkip.skipToLast('b'))).to.deep.equal(['b1 b2 b3 c', 'b3 c']));

  it('skipToNext on a b+ keeps only the shortest match (FlinkCEP docs)', () => {
    const p = (skip: AfterMatchSkipStrategy): Pattern<Letter> =>
      Pattern.begin<Letter>('a', skip).where(is('a')).followedBy('b').where(is('b')).oneOrMore();
    expect(matches(p(AfterMatchSkip.noSkip()), ['a', 'b1', 'b2', 'b3'])).to.deep.equal(['a b1', 'a b1 b2', 'a b1 b2 b3']);
    expect(matches(p(AfterMatchSkip.skipToNext()), ['a', 'b1', 'b2', 'b3'])).to.deep.equal(['a b1']);
  });

  it('holds a match until earlier partial matches resolve, so the earliest wins', () => {
    // a2 (which also accepts c) completes first, but a1 started earlier: a2's match is held, then
    // a1 completes and skip-past-last discards a2's.
    const p = (skip: AfterMatchSkipStrategy): Pattern<Letter> => Pattern.begin<Letter>('a', skip).where(is('a'))
      .followedBy('b').where((e, ctx) => is('b')(e) || (is('c')(e) && num(ctx.eventsFor('a')[0] ?? e) === 2));
    expect(matches(p(AfterMatchSkip.noSkip()), ['a1', 'a2', 'c', 'b'])).to.deep.equal(['a2 c', 'a1 b']);
    expect(matches(p(AfterMatchSkip.skipPastLastEvent()), ['a1', 'a2', 'c', 'b'])).to.deep.equal(['a1 b']);
    expect(matches(p(AfterMatchSkip.skipPastLastEvent()), ['a2', 'a1', 'b', 'c'])).to.deep.equal(['a2 b']);
  });

  it('rejects an unknown stage name', () => {
    expect(() => matches(Pattern.begin<Letter>('a', AfterMatchSkip.skipToLast('zz')).where(is('a')), ['a'])).to.throw(/zz/);
  });
});
