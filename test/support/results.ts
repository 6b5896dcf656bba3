// Builders of analytics results for tests of the transports.
import { patternResultId, type PatternResult, type WindowResult } from '../../actors/results.ts';
import { windowResult as buildWindowResult } from '../../actors/windows/result-id.ts';

export function windowResult(analytic: string, i: number, partition = 0): WindowResult {
  const windowStart = 1_700_000_000_000 + i * 5_000;
  return buildWindowResult(analytic, partition, `/page-${i % 7}`, windowStart, windowStart + 5_000, 0, 'final', { count: i + 1 });
}

export function patternResult(pattern: string, i: number, partition = 0): PatternResult {
  const offsets = [i * 3, i * 3 + 1, i * 3 + 2];
  return {
    kind: 'pattern',
    id: patternResultId(pattern, partition, offsets),
    pattern,
    partition,
    key: `user-${i}`,
    status: 'matched',
    eventIds: offsets.map((o) => `e${o}`),
    offsets,
    startTime: 1_700_000_000_000 + i * 1_000,
    endTime: 1_700_000_000_000 + i * 1_000 + 500,
  };
}
