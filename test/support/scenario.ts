// A deterministic input stream for end-to-end tests and exactly what the pipeline must make of it,
// computed by the oracles (deliberately simple reference implementations), not by the engine.
import type { AnalyticsResult, WindowResult } from '../../actors/results.ts';
import type { CustomEvent } from '../../actors/events/index.ts';
import { analyticsOracle, generateEvents, splitByPartition, type GeneratedItem, type GeneratorOptions } from '../../actors/testkit/index.ts';
import { patternOracle } from '../../actors/patterns/oracle.ts';

export interface ExpectedLetter {
  partition: number;
  offset: number;
  reason: string;
}

export interface Scenario {
  items: GeneratedItem[];
  results: AnalyticsResult[];
  letters: ExpectedLetter[];
  /** Event-time range covered by the results (for InfluxDB queries). */
  from: number;
  to: number;
}

/** The pipeline settings the scenario assumes (the node's defaults, idleness off). */
export const EVENT_TIME = { outOfOrdernessMs: 2_000, allowedLatenessMs: 5_000, maxFutureSkewMs: 60_000, idleTimeoutMs: 0 } as const;

/**
 * `count` generated items over 12 partitions, then one closing event per partition far enough
 * ahead in event time that every window, session and pattern of the stream is decided.
 * The virtual clock starts 20 minutes ago, so the stream is in the past (nothing is rejected as
 * future) while the generator's "future-timestamp" records stay ahead of the real clock.
 */
export function buildScenario(opts: Pick<GeneratorOptions, 'seed' | 'count' | 'badRatio' | 'users'> & { partitions?: number }): Scenario {
  const partitions = opts.partitions ?? 12;
  const startTime = Math.floor((Date.now() - 20 * 60_000) / 1000) * 1000;
  const items = [...generateEvents({ ...opts, partitions, startTime, eventsPerSecond: 1_000 })];
  const nextOffset = new Array<number>(partitions).fill(0);
  let maxTime = startTime;
  for (const it of items) {
    nextOffset[it.partition] = it.offset + 1;
    maxTime = Math.max(maxTime, it.wallTime, it.kind === 'event' ? it.event.eventTime : 0);
  }
  const closeAt = maxTime + 12 * 60_000;
  for (let p = 0; p < partitions; p++) {
    const event: CustomEvent = { type: 'Custom', eventId: `close-${p}`, userId: `closer-${p}`, sessionId: `closer-${p}`, eventTime: closeAt, source: 'e2e', name: 'end-of-test', attributes: {} };
    items.push({ kind: 'event', partition: p, offset: nextOffset[p]!, wallTime: closeAt, event });
  }

  const results: AnalyticsResult[] = [];
  const letters: ExpectedLetter[] = [];
  splitByPartition(items, partitions).forEach(({ inputs, decodeFailures }, partition) => {
    const out = analyticsOracle(inputs, { partition, createdAt: startTime, ...EVENT_TIME });
    results.push(...out.results, ...patternOracle(out.patternSteps, partition));
    for (const f of decodeFailures) letters.push({ partition, offset: f.offset, reason: f.reason });
    for (const r of out.rejected) letters.push({ partition, offset: r.offset, reason: r.reason });
  });
  return { items, results, letters, from: startTime - 120_000, to: closeAt + 60_000 };
}

/** The value InfluxDB must hold per point: the last firing of each window (the longest session). */
export function finalWindowValues(results: AnalyticsResult[]): Map<string, Record<string, number>> {
  const last = new Map<string, WindowResult>();
  for (const r of results) {
    if (r.kind !== 'window') continue;
    const key = `${r.analytic}|${r.partition}|${r.key}|${r.windowStart}`;
    const prev = last.get(key);
    if (!prev || r.windowEnd > prev.windowEnd || (r.windowEnd === prev.windowEnd && r.firing > prev.firing)) last.set(key, r);
  }
  return new Map([...last].map(([k, r]) => [k, r.values]));
}
