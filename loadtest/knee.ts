// The `max` scenario's search: each step is judged on its second half; after each step, raise the rate, or repeat a step that broke a bound
// once — one bad step is often a hiccup of a co-located server (InfluxDB compacting, a JVM pause),
// not a knee — or stop: the repeat broke a bound too (the knee is the highest rate that held), or
// the step limit was reached.
import type { SecondSample } from './report/types.ts';
import type { Scenario } from './scenarios.ts';

export interface StepVerdict {
  ratePerS: number;
  p99: number;
  lagGrowthPerS: number;
  ok: boolean;
}

export type AfterStep = { nextRatePerS: number } | { knee: { ratePerS: number; reason: string } };

export function afterStep(steps: readonly StepVerdict[], max: NonNullable<Scenario['max']>): AfterStep {
  const last = steps[steps.length - 1];
  if (last === undefined) return { nextRatePerS: max.startRate };
  const previous = steps[steps.length - 2];
  const isRepeat = previous !== undefined && !previous.ok && previous.ratePerS === last.ratePerS;
  const held = steps.filter((s) => s.ok);
  const highest = held[held.length - 1]?.ratePerS ?? 0;
  if (!last.ok && !isRepeat) return { nextRatePerS: last.ratePerS };
  if (!last.ok) {
    const why = last.p99 > max.p99LimitMs ? `p99 ${last.p99.toFixed(1)} ms > ${max.p99LimitMs} ms` : `lag grew ${Math.round(last.lagGrowthPerS)}/s`;
    return { knee: { ratePerS: highest, reason: `at ${Math.round(last.ratePerS)}/s: ${why}, twice in a row` } };
  }
  if (new Set(steps.map((s) => s.ratePerS)).size >= max.maxSteps) return { knee: { ratePerS: highest, reason: `no knee up to ${Math.round(last.ratePerS)}/s (step limit)` } };
  return { nextRatePerS: last.ratePerS * max.factor };
}

/** One step of `max`: `p99` (updates and alerts) and how fast the lag grew, over the step's second half. */
export function judgeStep(window: readonly SecondSample[], ratePerS: number, p99: number, p99LimitMs: number): StepVerdict {
  const half = window.slice(Math.floor(window.length / 2));
  const first = half[0]?.lag ?? 0;
  const last = half[half.length - 1]?.lag ?? 0;
  const lagGrowthPerS = half.length > 1 ? (last - first) / (half.length - 1) : 0;
  // Bounded lag: not growing by more than 1 % of the rate per second, or under a second of input.
  const lagOk = lagGrowthPerS <= ratePerS * 0.01 || last < ratePerS;
  return { ratePerS, p99, lagGrowthPerS, ok: lagOk && p99 <= p99LimitMs };
}
