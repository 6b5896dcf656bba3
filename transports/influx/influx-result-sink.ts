// Writes results to InfluxDB in batches (flushed at least every `flushIntervalMs`), through
// @influxdata/influxdb-client's v2 write API — InfluxDB 1.8 (bucket "db/rp") and 2.x alike.
// While InfluxDB is down, lines wait in a bounded queue and are retried; nothing is dropped.
import { InfluxDB, setLogger } from '@influxdata/influxdb-client';
import type { AnalyticsResult } from '../../actors/results.ts';
import { DeliveryQueue } from '../delivery-queue.ts';
import type { ResultSink, SinkStatus } from '../result-sink.ts';
import { resultToLine } from './points.ts';
import type { Tracer } from '@opentelemetry/api';
import { withBatchSpan } from '../../telemetry/spans.ts';

export interface InfluxResultSinkOptions {
  url: string;
  org: string;
  bucket: string;
  token: string;
  flushIntervalMs: number;
  /** Buffered points above which `offer` asks the caller to pause. */
  highWater: number;
  /** The input topic, stored as the `source` tag. */
  source: string;
  /** Traces writes of batches that hold traced results (`influx.write` spans). */
  tracer?: Tracer;
}

/** A line protocol line, with the result's trace context when it carried one. */
type QueuedLine = string | { line: string; traceparent: string };

// The client logs every failed write to the console; our queue reports failures as status instead.
setLogger({ error: () => undefined, warn: () => undefined });

export class InfluxResultSink implements ResultSink {
  private readonly influx: InfluxDB;
  private readonly queue: DeliveryQueue<QueuedLine>;

  constructor(private readonly opts: InfluxResultSinkOptions) {
    this.influx = new InfluxDB({ url: opts.url, token: opts.token, timeout: 10_000 });
    this.queue = new DeliveryQueue<QueuedLine>({
      send: (lines) => this.writeBatch(lines),
      maxBatch: 5_000,
      // One batch at a time: a later firing of a window must overwrite an earlier one, never
      // the other way round.
      maxInFlight: 1,
      highWater: opts.highWater,
      lingerMs: opts.flushIntervalMs,
    });
  }

  offer(result: AnalyticsResult, traceparent?: string): boolean {
    // History keeps decided values only: an update is superseded by its window's next firing.
    if (result.kind === 'window' && result.trigger === 'update') return true;
    const line = resultToLine(result, this.opts.source);
    return this.queue.push(traceparent ? { line, traceparent } : line);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  status(): SinkStatus {
    return this.queue.status('influxdb', 'influxdb');
  }

  async close(): Promise<void> {
    this.queue.close();
  }

  /**
   * A batch that holds traced results is written in one `influx.write` span: child of the first
   * sampled result's context, linked to the other sampled ones (telemetry withBatchSpan). Untraced
   * batches (nearly all) are written as they are, without a span.
   */
  private writeBatch(items: QueuedLine[]): Promise<void> {
    let traced: string[] | undefined;
    for (const item of items) if (typeof item !== 'string') (traced ??= []).push(item.traceparent);
    if (traced === undefined) return this.write(items as string[]);
    const lines = items.map((item) => (typeof item === 'string' ? item : item.line));
    return withBatchSpan(this.opts.tracer, 'influx.write', traced, { 'db.system.name': 'influxdb', 'rtap.points': lines.length, 'rtap.traced': traced.length }, () => this.write(lines));
  }

  private async write(lines: string[]): Promise<void> {
    // A fresh write API per batch: its own retry buffer stays empty (maxRetries 0) and our queue
    // owns retries, so a failed batch is never half in the client and half in the queue.
    const api = this.influx.getWriteApi(this.opts.org, this.opts.bucket, 'ns', {
      maxRetries: 0,
      batchSize: lines.length + 1,
      flushInterval: 0,
    });
    api.writeRecords(lines);
    await api.close();
  }
}
