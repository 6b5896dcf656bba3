// What the analytics emit. Every result carries a deterministic id, so a replay after a crash
// re-emits the same ids and downstream de-duplication (NATS Nats-Msg-Id, InfluxDB point identity)
// drops the copies.
//
// Results are per source partition: events are keyed by user, so a partition actor sees a disjoint
// slice of users and its aggregates are partial. Consumers merge them (sum counts, union nothing:
// distinct users never cross partitions). The partition is therefore part of every id.

export interface WindowResult {
  kind: 'window';
  /** `${analytic}|p${partition}|${key}|${windowStart}-${windowEnd}|f${firing}` (+ `|update` for updates) */
  id: string;
  analytic: string;
  partition: number;
  key: string;
  windowStart: number;
  windowEnd: number;
  /** 0 for the first firing of a window; increments with each early or late firing. */
  firing: number;
  /**
   * 'early': an event-time update before the window closed; 'final': on close; 'late': a correction
   * after close. 'update': a speculative processing-time update of an open window (the values so
   * far), emitted within milliseconds of the events it includes; it carries the firing number the
   * window's next deterministic firing will have, is not part of the exactly-once result stream
   * (a replay may emit different updates) and is superseded by that next firing.
   */
  trigger: 'early' | 'final' | 'late' | 'update';
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

/**
 * Whether window result `next` replaces `prev` of the same (analytic, partition, key, window) for a
 * consumer that keeps the latest value: a higher firing wins; a deterministic firing wins over the
 * updates that preceded it (same firing number); among updates of one firing the newer arrival wins.
 */
export function supersedes(next: Pick<WindowResult, 'firing' | 'trigger'>, prev: Pick<WindowResult, 'firing' | 'trigger'>): boolean {
  if (next.firing !== prev.firing) return next.firing > prev.firing;
  // Same firing: anything replaces an update (a newer update, or the firing it announced); nothing
  // replaces the deterministic firing itself (a duplicate, or an update that arrived after it).
  return prev.trigger === 'update';
}
