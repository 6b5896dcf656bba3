// What a partition actor needs from the outside world, as small interfaces: the node wires them
// to Kafka, NATS and InfluxDB; tests wire them to in-memory fakes. The actor knows no wire.
import type { AnalyticsResult } from '../results.ts';
import type { SnapshotStore } from '../../runtime/index.ts';

/** One record of the source partition, still undecoded. */
export interface SourceRecord {
  offset: number;
  value: Uint8Array | null;
  /** W3C trace context carried in the record's headers, if any. */
  traceparent?: string;
}

/** Results leave through here. `offer` false: downstream is full — wait for `flush`. */
export interface ResultOutput {
  offer(result: AnalyticsResult, traceparent?: string): boolean;
  /** Resolves once everything offered before is durably downstream. */
  flush(): Promise<void>;
}

export interface DeadLetter {
  partition: number;
  offset: number;
  value: Uint8Array | null;
  /** Machine-readable reason: a DlqReason or `handler-failed`. */
  reason: string;
  detail: string;
}

export interface DeadLetterOutput {
  send(letter: DeadLetter): void;
  flush(): Promise<void>;
}

/** The source side, owned by the Kafka bridge. */
export interface SourceControl {
  /**
   * Restart reading this partition at `offset` (undefined: from the beginning). Returns the new
   * epoch: batches stamped with an older epoch were fetched before the seek and must be ignored.
   */
  seek(partition: number, offset: number | undefined): number;
  /** Commits `nextOffset` (the first offset not yet covered by a durable checkpoint). */
  commit(partition: number, nextOffset: number): Promise<void>;
}

/**
 * Tracing of sampled records, kept behind an interface so the analytics know no tracing library:
 * `around` runs the processing of a record that carries a trace context inside a span and hands
 * the span's own traceparent to `fn`, which attaches it to the results the record produced.
 */
export interface RecordTracer {
  around(partition: number, record: SourceRecord, fn: (traceparent: string | undefined) => void): void;
}

export interface PartitionPorts {
  results: ResultOutput;
  deadLetters: DeadLetterOutput;
  source: SourceControl;
  snapshots: SnapshotStore;
  /** Failure counts per offset; owned outside the actor so they survive its restarts. */
  failures: Map<number, number>;
  /** Spans for records that carry a trace context; none when tracing is off. */
  tracer?: RecordTracer;
}
