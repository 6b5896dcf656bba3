// Writes results to InfluxDB in batches (flushed at least every `flushIntervalMs`), through
// @influxdata/influxdb-client's v2 write API — InfluxDB 1.8 (bucket "db/rp") and 2.x alike.
// While InfluxDB is down, lines wait in a bounded queue and are retried; nothing is dropped.
import { InfluxDB, setLogger } from '@influxdata/influxdb-client';
import type { AnalyticsResult } from '../../actors/results.ts';
import { DeliveryQueue } from '../delivery-queue.ts';
import type { ResultSink, SinkStatus } from '../result-sink.ts';
import { resultToLine } from './points.ts';

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
}

// The client logs every failed write to the console; our queue reports failures as status instead.
setLogger({ error: () => undefined, warn: () => undefined });

export class InfluxResultSink implements ResultSink {
  private readonly influx: InfluxDB;
  private readonly queue: DeliveryQueue<string>;

  constructor(private readonly opts: InfluxResultSinkOptions) {
    this.influx = new InfluxDB({ url: opts.url, token: opts.token, timeout: 10_000 });
    this.queue = new DeliveryQueue<string>({
      send: (lines) => this.write(lines),
      maxBatch: 5_000,
      // One batch at a time: a later firing of a window must overwrite an earlier one, never
      // the other way round.
      maxInFlight: 1,
      highWater: opts.highWater,
      lingerMs: opts.flushIntervalMs,
    });
  }

  offer(result: AnalyticsResult): boolean {
    return this.queue.push(resultToLine(result, this.opts.source));
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
