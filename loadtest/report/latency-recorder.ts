// Latency percentiles for a load-test run. A run records millions of latencies, so keeping them in an
// array (and sorting) is out; an HDR histogram keeps 3 significant digits in fixed memory. The runner
// needs both the whole run and each second of it, hence two histograms: the total and the current
// interval, which `takeInterval()` summarizes and clears.

import { build, type Histogram } from 'hdr-histogram-js';

import type { LatencySummary } from './types.ts';

/** Values are recorded in microseconds; one hour is the most the histogram tracks (larger is clamped). */
const HIGHEST_US = 3_600_000_000;

function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 });
}

/** Microseconds → milliseconds with 3 decimals. */
const toMs = (us: number): number => Math.round(us) / 1000;

/** The summary of nothing: every field 0. */
export function emptySummary(): LatencySummary {
  return { count: 0, p50: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };
}

function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return emptySummary();
  return {
    count: h.totalCount,
    p50: toMs(h.getValueAtPercentile(50)),
    p95: toMs(h.getValueAtPercentile(95)),
    p99: toMs(h.getValueAtPercentile(99)),
    p999: toMs(h.getValueAtPercentile(99.9)),
    max: toMs(h.maxValue),
    mean: toMs(h.mean),
  };
}

export class LatencyRecorder {
  private readonly total = newHistogram();
  /** Absent for a recorder without per-second figures (`perSecond` false): nothing to record twice. */
  private readonly interval: Histogram | undefined;

  constructor(perSecond = true) {
    this.interval = perSecond ? newHistogram() : undefined;
  }

  /**
   * Records one latency in milliseconds. Negative values (clock skew) count as 0; NaN is ignored.
   * `inTotal` false: only in the current interval (a warm-up event, see Scenario.warmupS).
   */
  record(ms: number, inTotal = true): void {
    if (Number.isNaN(ms)) return;
    const us = Math.min(HIGHEST_US, Math.max(0, Math.round(ms * 1000)));
    if (inTotal) this.total.recordValue(us);
    this.interval?.recordValue(us);
  }

  /** Everything recorded so far. */
  summary(): LatencySummary {
    return summarize(this.total);
  }

  /** What was recorded since the previous call (null when nothing was); the total is kept. */
  takeInterval(): LatencySummary | null {
    if (this.interval === undefined || this.interval.totalCount === 0) return null;
    const s = summarize(this.interval);
    this.interval.reset();
    return s;
  }
}
