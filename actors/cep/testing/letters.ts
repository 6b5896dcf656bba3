// Hand-written streams for DSL tests: events named "a", "b1", "c"... at times 1, 2, 3...
import { cepOperator } from '../operator.ts';
import type { CepOperatorOptions } from '../operator.ts';
import type { Pattern } from '../pattern.ts';
import { drive } from './drive.ts';
import type { Step } from './drive.ts';

export interface Letter {
  readonly eventId: string;
  readonly eventTime: number;
  readonly userId: string;
  readonly name: string;
}

/** Matches events whose name starts with `letter` ("b" matches b, b1, b2...). */
export const is = (letter: string) => (e: Letter): boolean => e.name.startsWith(letter);

export function letters(names: readonly string[], times?: readonly number[]): Step<Letter>[] {
  return names.map((name, i) => ({
    event: { eventId: `${name}#${i}`, eventTime: times?.[i] ?? i + 1, userId: 'u', name },
    offset: i,
  }));
}

export function op(pattern: Pattern<Letter>, opts: Partial<CepOperatorOptions<Letter>> = {}) {
  return () => cepOperator(pattern, { name: 'p', partition: 0, key: (e) => e.userId, ...opts });
}

/** Runs a pattern over named events, flushes with a final watermark, and renders matches "a b1 c". */
export function matches(
  pattern: Pattern<Letter>,
  names: readonly string[],
  opts: Partial<CepOperatorOptions<Letter>> & { times?: readonly number[]; watermark?: number } = {},
): string[] {
  const steps: Step<Letter>[] = [...letters(names, opts.times), { watermark: opts.watermark ?? 1e12 }];
  return drive(op(pattern, opts), steps).map((r) => {
    const text = r.eventIds.map((id) => id.split('#')[0]).join(' ');
    return r.status === 'timedOut' ? `timeout: ${text}` : text;
  });
}
