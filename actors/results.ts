// What the analytics emit. Every result carries a deterministic id, so a replay after a crash
// re-emits the same ids and downstream de-duplication (NATS Nats-Msg-Id, InfluxDB point identity)
// drops the copies.
//
// Results are per source partition: events are keyed by user, so a partition actor sees a disjoint
// slice of users and its aggregates are partial. Consumers merge them (sum counts, union nothing:
// distinct users never cross partitions). The partition is therefore part of every id.

export interface WindowResult {
  kind: 'window';
  /** `${analytic}|p${partition}|${key}|${windowStart}-${windowEnd}|f${firing}` */
  id: string;
  analytic: string;
  partition: number;
  key: string;
  windowStart: number;
  windowEnd: number;
  /** 0 for the first firing of a window; increments with each early or late firing. */
  firing: number;
  /** 'early': an update before the window closed; 'final': on close; 'late': a correction after close. */
  trigger: 'early' | 'final' | 'late';
  values: Record<string, number>;
}

export interface PatternResult {
  kind: 'pattern';
  /** `${pattern}|p${partition}|${offsets.join('.')}` (+ `|timeout` for a timed-out partial match) */
  id: string;
  pattern: string;
  partition: number;
  key: string;
  status: 'matched' | 'timedOut';
  eventIds: string[];
  /** Source offsets of the matched events, in match order. */
  offsets: number[];
  startTime: number;
  endTime: number;
}

export type AnalyticsResult = WindowResult | PatternResult;

export function windowResultId(analytic: string, partition: number, key: string, windowStart: number, windowEnd: number, firing: number): string {
  return `${analytic}|p${partition}|${key}|${windowStart}-${windowEnd}|f${firing}`;
}

export function patternResultId(pattern: string, partition: number, offsets: readonly number[], timedOut = false): string {
  return `${pattern}|p${partition}|${offsets.join('.')}${timedOut ? '|timeout' : ''}`;
}
