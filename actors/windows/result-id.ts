import { windowResultId, type WindowResult } from '../results.ts';

/** Builds a WindowResult with the id format fixed in actors/results.ts. */
export function windowResult(
  analytic: string,
  partition: number,
  key: string,
  windowStart: number,
  windowEnd: number,
  firing: number,
  trigger: WindowResult['trigger'],
  values: Record<string, number>,
): WindowResult {
  return {
    kind: 'window',
    id: windowResultId(analytic, partition, key, windowStart, windowEnd, firing) + (trigger === 'update' ? '|update' : ''),
    analytic,
    partition,
    key,
    windowStart,
    windowEnd,
    firing,
    trigger,
    values,
  };
}
