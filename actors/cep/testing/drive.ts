// Test driver: feeds an operator a step list, optionally snapshotting and restoring into a fresh
// instance at chosen steps, and collects everything it emits.
import type { Emit, Operator } from '../../operator.ts';
import type { AnalyticsResult, PatternResult } from '../../results.ts';

export type Step<E> = { readonly event: E; readonly offset: number } | { readonly watermark: number };

/**
 * Feeds `steps` to `make()`, snapshotting and restoring into a fresh instance before each step in
 * restoreAt; `afterStep` sees the live operator after every step.
 */
export function replay<E>(
  make: () => Operator<E>,
  steps: readonly Step<E>[],
  restoreAt: ReadonlySet<number>,
  emit: Emit,
  afterStep?: (op: Operator<E>) => void,
): void {
  let op = make();
  steps.forEach((s, i) => {
    if (restoreAt.has(i)) {
      const bytes = op.snapshot();
      op = make();
      op.restore(bytes);
    }
    if ('watermark' in s) op.onWatermark(s.watermark, emit);
    else op.onEvent(s.event, s.offset, emit);
    afterStep?.(op);
  });
}

export function drive<E>(
  make: () => Operator<E>,
  steps: readonly Step<E>[],
  restoreAt: ReadonlySet<number> = new Set(),
): PatternResult[] {
  const out: PatternResult[] = [];
  replay(make, steps, restoreAt, (r: AnalyticsResult): void => {
    if (r.kind !== 'pattern') throw new Error('unexpected result kind');
    out.push(r);
  });
  return out;
}
