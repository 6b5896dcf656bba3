// Reports for the unit tests of the report library: a complete RunReport with every optional part,
// and per-second samples with gaps, built in code so the tests state what they vary.

import type { LatencySummary, RunReport, SecondSample } from './types.ts';

export const lat = (p99: number, count = 100): LatencySummary => ({
  count, p50: p99 / 2, p95: p99 * 0.9, p99, p999: p99 * 1.5, max: p99 * 2, mean: p99 / 2,
});

export function second(t: number, over: Partial<SecondSample> = {}): SecondSample {
  return {
    t, target: 10_000, sent: 9_998, processed: 9_990, lag: 120,
    updates: lat(8.1), alerts: lat(9.3, 5),
    cpu: { node: 80, machine: 143 }, rssMb: { node: 210 },
    ...over,
  };
}

export function makeReport(over: Partial<RunReport> = {}): RunReport {
  return {
    scenario: 'steady',
    description: 'Steady 10k events/s for a minute.',
    startedAt: '2026-11-25T14:30:05.000Z',
    durationS: 60,
    warmupS: 10,
    machine: { cpus: 2, cpuModel: 'Test CPU @ 2.0GHz', memGiB: 24, node: 'v20.20.2', kernel: '6.1.0' },
    settings: { rate: 10_000, nodes: 2, conflate: true, 'window.size': '1s' },
    events: { targetPerS: 10_000, achievedPerS: 9_998, sent: 599_880, processed: 599_400, badRecords: 60, dlq: 60, errors: 3, errorRate: 0.000005 },
    latency: {
      updates: { count: 599_000, p50: 4.25, p95: 7.5, p99: 8.125, p999: 15.5, max: 42.75, mean: 4.5 },
      alerts: { count: 1_200, p50: 5.5, p95: 8.75, p99: 9.375, p999: 12.5, max: 20.25, mean: 5.75 },
    },
    lag: { max: 4_321, final: 7 },
    processes: [
      { name: 'kafka', pid: 101, cpuAvgPct: 21.4, cpuMaxPct: 40.2, rssMaxMb: 1_100.5 },
      { name: 'node-1', pid: 202, cpuAvgPct: 55.6, cpuMaxPct: 90.1, rssMaxMb: 250.2 },
    ],
    cpuTotalAvgPct: 77,
    oracle: {
      checked: true, ok: true, expected: 1_234, received: 1_234, missing: 0, unexpected: 0, wrongValues: 0, duplicates: 0,
      dlqExpected: 60, dlqReceived: 60, detail: ['all 1234 durable results matched'],
    },
    kafkaLimit: { producePerS: 265_000, ratio: 9_998 / 265_000 },
    knee: null,
    fanout: null,
    seconds: Array.from({ length: 60 }, (_, i) => second(i + 1)),
    notes: ['node-2 was killed at t=30 s'],
    ...over,
  };
}
