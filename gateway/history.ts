// /api/history: one analytic's windows from InfluxDB, summed across source partitions.
// Schema (written by the node, transports/influx/points.ts; see docs/gateway.md):
//   rtap_window  tags: source, analytic, key, partition   fields: <values…>, firing, trigger, window_end   time: window start
// A late firing overwrites its window's point (same tags + time), so summing per time is exact.
// `source` is the input topic. Always filtering on it keeps the query to one pipeline's series: summing
// every source (each load test writes its own) took 16–30 s after a few load tests, one source < 1 s.
import { flux } from '@influxdata/influxdb-client';
import type { InfluxDB } from '@influxdata/influxdb-client';

export interface HistoryPoint {
  /** Window start, ms. */
  time: number;
  key: string;
  field: string;
  value: number;
}

export interface HistoryQuery {
  analytic: string;
  minutes: number;
  /** The pipeline's input topic (tag `source`). */
  source: string;
  /** At most this many distinct keys (the busiest); page views have one key per page. */
  maxKeys?: number;
}

/** Bookkeeping fields written next to the values; not worth charting. */
const NON_VALUE_FIELDS = ['firing', 'trigger', 'window_end'];

export function historyFlux(bucket: string, q: HistoryQuery): ReturnType<typeof flux> {
  return flux`from(bucket: ${bucket})
  |> range(start: ${-q.minutes * 60}s)
  |> filter(fn: (r) => r._measurement == "rtap_window" and r.analytic == ${q.analytic} and r.source == ${q.source})
  |> filter(fn: (r) => not contains(value: r._field, set: ${NON_VALUE_FIELDS}))
  |> group(columns: ["key", "_field", "_time"])
  |> sum()
  |> group()
  |> sort(columns: ["_time"])`;
}

export async function queryHistory(influx: InfluxDB, org: string, bucket: string, q: HistoryQuery): Promise<HistoryPoint[]> {
  const rows = await influx.getQueryApi(org).collectRows<Record<string, unknown>>(historyFlux(bucket, q));
  const points = rows.map((r) => ({
    time: Date.parse(String(r._time)),
    key: String(r.key),
    field: String(r._field),
    value: Number(r._value),
  }));
  if (q.maxKeys === undefined) return points;
  const totals = new Map<string, number>();
  for (const p of points) totals.set(p.key, (totals.get(p.key) ?? 0) + p.value);
  const keep = new Set([...totals].sort((a, b) => b[1] - a[1]).slice(0, q.maxKeys).map(([k]) => k));
  return points.filter((p) => keep.has(p.key));
}
