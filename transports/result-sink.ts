// Where analytics results leave a node (NATS, InfluxDB). A sink never drops what it was given:
// it buffers (bounded), retries, and tells the caller when to slow down. `flush` is the barrier a
// checkpoint waits on: offsets are committed only after every earlier result is downstream.
import type { AnalyticsResult } from '../actors/results.ts';

export interface SinkStatus {
  name: string;
  healthy: boolean;
  /** Results accepted but not yet acknowledged downstream. */
  buffered: number;
  /** Why it is unhealthy (last error), when it is. */
  reason?: string;
  delivered: number;
  retries: number;
}

export interface ResultSink {
  /** Takes results (with an optional W3C traceparent). False: the buffer is over its limit — pause the sources. */
  offer(result: AnalyticsResult, traceparent?: string): boolean;
  /** Resolves once everything offered before the call is acknowledged downstream; rejects if the sink is closed first. */
  flush(): Promise<void>;
  status(): SinkStatus;
  close(): Promise<void>;
}

/** Exponential backoff with full jitter, capped: the delay before retry number `attempt` (1-based). */
export function retryDelayMs(attempt: number, baseMs = 100, capMs = 5_000): number {
  return Math.round(Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16)));
}
