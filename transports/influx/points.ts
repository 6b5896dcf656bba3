// How results are stored in InfluxDB. A point's identity is (measurement, tag set, timestamp), so
// writing the same result twice — or a late firing that corrects a window — overwrites instead of
// adding: replays after a crash are idempotent, and the stored value is the latest firing's.
//
//   rtap_window  tags: source, analytic, key, partition   fields: <values…>, firing, trigger, window_end   time: window start
//   rtap_pattern tags: source, pattern, partition, status fields: key, event_ids, offsets, start_time     time: end time (+ offset in ns)
// `source` is the input topic: pipelines reading different topics never overwrite each other.
import { Point } from '@influxdata/influxdb-client';
import type { AnalyticsResult } from '../../actors/results.ts';

export const WINDOW_MEASUREMENT = 'rtap_window';
export const PATTERN_MEASUREMENT = 'rtap_pattern';

const NS_PER_MS = 1_000_000n;

export function resultToLine(result: AnalyticsResult, source: string): string {
  if (result.kind === 'window') {
    const p = new Point(WINDOW_MEASUREMENT)
      .tag('source', source)
      .tag('analytic', result.analytic)
      .tag('key', result.key)
      .tag('partition', String(result.partition))
      .intField('firing', result.firing)
      .stringField('trigger', result.trigger)
      .intField('window_end', result.windowEnd)
      .timestamp(String(BigInt(result.windowStart) * NS_PER_MS));
    for (const [name, value] of Object.entries(result.values)) p.floatField(name, value);
    return p.toLineProtocol()!;
  }
  // Two matches of one pattern in one partition may end in the same millisecond; the last
  // matched offset (unique per partition) in the sub-millisecond digits keeps them apart.
  const last = result.offsets[result.offsets.length - 1] ?? 0;
  const ts = BigInt(result.endTime) * NS_PER_MS + BigInt(last % 1_000_000);
  return new Point(PATTERN_MEASUREMENT)
    .tag('source', source)
    .tag('pattern', result.pattern)
    .tag('partition', String(result.partition))
    .tag('status', result.status)
    .stringField('key', result.key)
    .stringField('event_ids', result.eventIds.join(','))
    .stringField('offsets', result.offsets.join(','))
    .intField('start_time', result.startTime)
    .timestamp(String(ts))
    .toLineProtocol()!;
}
