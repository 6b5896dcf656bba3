// Pattern -> flat stage table the NFA walks. Validates the combinations the engine gives a
// defined meaning to, and precomputes the reachability facts the hot loop needs.
import type { AfterMatchSkipStrategy, Condition, Pattern, StageSpec } from './pattern.ts';

/** A stage spec as the NFA walks it: `optional` folded into `min`; `looping` is not needed past compilation. */
export interface CompiledStage<E> extends Omit<StageSpec<E>, 'optional' | 'looping'> {
  readonly index: number;
  /** null: matches every event. */
  readonly condition: Condition<E> | null;
  /** Effective minimum (0 when optional). */
  readonly min: number;
  /** Every later stage is an optional normal stage: reaching `min` here completes a match. */
  readonly completesHere: boolean;
  /** Reaching `min` here (or being here, for the final negation) satisfies a trailing notFollowedBy. */
  readonly reachesFinalNegation: boolean;
}

export interface CompiledPattern<E> {
  readonly stages: readonly CompiledStage<E>[];
  readonly withinMs: number;
  readonly skip: AfterMatchSkipStrategy;
  /** The pattern ends with notFollowedBy: matches complete when the window expires. */
  readonly endsWithNegation: boolean;
  /** Stage index for skipToFirst/skipToLast, else -1. */
  readonly skipStage: number;
  /** Some condition may read matched events (iterative where/or, until): keep them in the chains. */
  readonly keepsEvents: boolean;
}

export function compilePattern<E>(pattern: Pattern<E>): CompiledPattern<E> {
  const specs = pattern.stages;
  const n = specs.length;
  const last = specs[n - 1];
  if (last === undefined) throw new Error('empty pattern');
  if (specs[0]?.kind !== 'normal') throw new Error('a pattern cannot begin with a negation');
  specs.forEach((s, i) => {
    if (s.kind === 'normal') {
      const prev = specs[i - 1];
      if (prev !== undefined && prev.kind !== 'normal' && s.optional) {
        throw new Error(`stage '${s.name}' after a negation cannot be optional`);
      }
      return;
    }
    // Negations sit after a fixed-count stage, so "the next event" is always adjacent to it.
    const prev = specs[i - 1];
    if (prev === undefined || prev.kind !== 'normal' || prev.optional || prev.min !== prev.max) {
      throw new Error(`negation '${s.name}' must follow a non-optional stage with a fixed count`);
    }
    if (s.kind === 'notNext' && i === n - 1) throw new Error('a pattern cannot end with notNext');
  });
  const endsWithNegation = last.kind === 'notFollowedBy';
  if (endsWithNegation && !Number.isFinite(pattern.withinMs)) {
    throw new Error('a pattern ending with notFollowedBy needs within()');
  }
  let skipStage = -1;
  const skip = pattern.skip;
  if (skip.kind === 'skipToFirst' || skip.kind === 'skipToLast') {
    skipStage = specs.findIndex((s) => s.name === skip.name);
    if (skipStage < 0) throw new Error(`skip strategy names unknown stage '${skip.name}'`);
  }

  const stages: CompiledStage<E>[] = [];
  // Walk backwards: completesHere[i] = all stages after i are optional normal stages.
  let tailOptional = true;
  let tailToNegation = endsWithNegation;
  const completes: boolean[] = new Array<boolean>(n).fill(false);
  const toNegation: boolean[] = new Array<boolean>(n).fill(false);
  for (let i = n - 1; i >= 0; i--) {
    const s = specs[i];
    if (s === undefined) continue;
    completes[i] = s.kind === 'normal' && tailOptional && !endsWithNegation;
    toNegation[i] = tailToNegation;
    const skippable = s.kind === 'normal' && (s.optional || s.min === 0);
    tailOptional = tailOptional && skippable;
    if (i === n - 1) tailToNegation = endsWithNegation;
    else tailToNegation = tailToNegation && skippable;
  }
  specs.forEach((s, i) => {
    stages.push({
      index: i, name: s.name, kind: s.kind, contiguity: s.contiguity, inner: s.inner,
      condition: s.condition, iterative: s.iterative, until: s.until,
      min: s.optional ? 0 : s.min, max: s.max, greedy: s.greedy,
      completesHere: completes[i] ?? false,
      reachesFinalNegation: toNegation[i] ?? false,
    });
  });
  const keepsEvents = specs.some((s) => s.iterative || s.until !== null);
  return { stages, withinMs: pattern.withinMs, skip, endsWithNegation, skipStage, keepsEvents };
}
