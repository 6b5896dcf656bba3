// The pattern DSL: an immutable, fluent builder in the style of FlinkCEP's Pattern API.
// Every method returns a new Pattern, so a prefix can be shared between several patterns.

/** Read access to the partial match a condition is evaluated against (Flink's IterativeCondition.Context). */
export interface MatchContext<E> {
  /** Events already taken by the stage `name` in this partial match, in order. */
  eventsFor(name: string): E[];
}

/**
 * A stage condition. Declare the second parameter only if you need it: one-argument conditions
 * are evaluated once per event and stage (cached), iterative ones once per partial match.
 */
export type Condition<E> = (event: E, ctx: MatchContext<E>) => boolean;

/** How the first event of a stage relates to the previous stage's last event. */
export type Contiguity = 'strict' | 'relaxed' | 'any';

export type StageKind = 'normal' | 'notNext' | 'notFollowedBy';

export interface StageSpec<E> {
  readonly name: string;
  readonly kind: StageKind;
  readonly contiguity: Contiguity;
  /** Contiguity between events of a looping stage: relaxed by default, strict with consecutive(). */
  readonly inner: Contiguity;
  readonly condition: Condition<E> | null;
  readonly iterative: boolean;
  readonly until: Condition<E> | null;
  readonly min: number;
  readonly max: number;
  readonly optional: boolean;
  readonly greedy: boolean;
  readonly looping: boolean;
}

export type AfterMatchSkipStrategy =
  | { readonly kind: 'noSkip' }
  | { readonly kind: 'skipToNext' }
  | { readonly kind: 'skipPastLastEvent' }
  | { readonly kind: 'skipToFirst'; readonly name: string }
  | { readonly kind: 'skipToLast'; readonly name: string };

export const AfterMatchSkip = {
  noSkip: (): AfterMatchSkipStrategy => ({ kind: 'noSkip' }),
  skipToNext: (): AfterMatchSkipStrategy => ({ kind: 'skipToNext' }),
  skipPastLastEvent: (): AfterMatchSkipStrategy => ({ kind: 'skipPastLastEvent' }),
  skipToFirst: (name: string): AfterMatchSkipStrategy => ({ kind: 'skipToFirst', name }),
  skipToLast: (name: string): AfterMatchSkipStrategy => ({ kind: 'skipToLast', name }),
};

function newStage<E>(name: string, kind: StageKind, contiguity: Contiguity): StageSpec<E> {
  return {
    name, kind, contiguity, inner: 'relaxed', condition: null, iterative: false, until: null,
    min: 1, max: 1, optional: false, greedy: false, looping: false,
  };
}

export class Pattern<E> {
  private constructor(
    readonly stages: readonly StageSpec<E>[],
    readonly withinMs: number,
    readonly skip: AfterMatchSkipStrategy,
  ) {}

  static begin<E>(name: string, skip: AfterMatchSkipStrategy = AfterMatchSkip.noSkip()): Pattern<E> {
    return new Pattern<E>([newStage<E>(name, 'normal', 'relaxed')], Infinity, skip);
  }

  /** Strict contiguity: the next event must match. */
  next(name: string): Pattern<E> { return this.append(name, 'normal', 'strict'); }
  /** Relaxed contiguity: skip non-matching events until the first matching one. */
  followedBy(name: string): Pattern<E> { return this.append(name, 'normal', 'relaxed'); }
  /** Non-deterministic relaxed contiguity: every later matching event starts a branch. */
  followedByAny(name: string): Pattern<E> { return this.append(name, 'normal', 'any'); }
  /** The event right after the previous stage must not match. */
  notNext(name: string): Pattern<E> { return this.append(name, 'notNext', 'strict'); }
  /** No matching event may occur between the previous and the next stage (or before the window ends). */
  notFollowedBy(name: string): Pattern<E> { return this.append(name, 'notFollowedBy', 'relaxed'); }

  /** AND-ed with the stage's condition so far. */
  where(cond: Condition<E>): Pattern<E> {
    const prev = this.last().condition;
    const next: Condition<E> = prev === null ? cond : (e, ctx) => prev(e, ctx) && cond(e, ctx);
    return this.patch({ condition: next, iterative: this.last().iterative || cond.length >= 2 });
  }

  /** OR-ed with the stage's condition so far. */
  or(cond: Condition<E>): Pattern<E> {
    const prev = this.last().condition;
    const next: Condition<E> = prev === null ? cond : (e, ctx) => prev(e, ctx) || cond(e, ctx);
    return this.patch({ condition: next, iterative: this.last().iterative || cond.length >= 2 });
  }

  /** Stop condition of a looping stage: a matching event closes the loop (and is not taken by it). */
  until(cond: Condition<E>): Pattern<E> {
    this.requireLooping('until');
    return this.patch({ until: cond });
  }

  times(from: number, to?: number): Pattern<E> {
    const max = to ?? from;
    if (!Number.isInteger(from) || from < 1 || !(max >= from) || (Number.isFinite(max) && !Number.isInteger(max))) {
      throw new Error(`times(${from}, ${to}): need integers 1 <= from <= to`);
    }
    return this.quantify(from, max);
  }

  timesOrMore(n: number): Pattern<E> {
    if (!Number.isInteger(n) || n < 1) throw new Error(`timesOrMore(${n}): need an integer >= 1`);
    return this.quantify(n, Infinity);
  }

  oneOrMore(): Pattern<E> { return this.quantify(1, Infinity); }

  optional(): Pattern<E> {
    this.requireNormal('optional');
    return this.patch({ optional: true });
  }

  /** A looping stage takes as many events as it can: it proceeds only on an event it cannot take. */
  greedy(): Pattern<E> {
    this.requireLooping('greedy');
    return this.patch({ greedy: true });
  }

  /** Strict contiguity between the events of a looping stage. */
  consecutive(): Pattern<E> {
    this.requireLooping('consecutive');
    return this.patch({ inner: 'strict' });
  }

  /** Non-deterministic relaxed contiguity between the events of a looping stage. */
  allowCombinations(): Pattern<E> {
    this.requireLooping('allowCombinations');
    return this.patch({ inner: 'any' });
  }

  /** The whole match must fit in `ms`: last.eventTime - first.eventTime < ms. */
  within(ms: number): Pattern<E> {
    if (!(ms > 0)) throw new Error(`within(${ms}): need a positive duration`);
    return new Pattern(this.stages, ms, this.skip);
  }

  private last(): StageSpec<E> {
    const s = this.stages[this.stages.length - 1];
    if (s === undefined) throw new Error('empty pattern');
    return s;
  }

  private append(name: string, kind: StageKind, contiguity: Contiguity): Pattern<E> {
    if (this.stages.some((s) => s.name === name)) throw new Error(`duplicate stage name '${name}'`);
    return new Pattern([...this.stages, newStage<E>(name, kind, contiguity)], this.withinMs, this.skip);
  }

  private patch(change: Partial<StageSpec<E>>): Pattern<E> {
    const stages = this.stages.slice();
    stages[stages.length - 1] = { ...this.last(), ...change };
    return new Pattern(stages, this.withinMs, this.skip);
  }

  private quantify(min: number, max: number): Pattern<E> {
    this.requireNormal('a quantifier');
    return this.patch({ min, max, looping: max > 1 });
  }

  private requireNormal(what: string): void {
    if (this.last().kind !== 'normal') throw new Error(`${what} cannot apply to negation stage '${this.last().name}'`);
  }

  private requireLooping(what: string): void {
    if (!this.last().looping) throw new Error(`${what} needs a looping stage (times/oneOrMore) before it`);
  }
}
