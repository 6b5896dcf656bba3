// What a partition actor needs from the outside world, as small interfaces: the node wires them
// to Kafka, NATS and InfluxDB; tests wire them to in-memory fakes. The actor knows no wire.
import type { AnalyticsResult } from '../results.ts';
import type { SnapshotStore } from '../../runtime/index.ts';
import type { EnginePhase } from '../engine/analytics-engine.ts';
import type { PartitionState } from './partition-actor.ts';

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
  /** Resolves once everything offered before is durably downstream; rejects if the output closed first. */
  flush(): Promise<void>;
}

export interface DeadLetter {
  partition: number;
  offset: number;
  value: Uint8Array | null;
  /** Machine-readable reason: a DlqReason or `handler-failed`. */
  reason: string;
  detail: string;
  /** The record's W3C trace context, when it carried one (so the letter's span joins its trace). */
  traceparent?: string;
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

/** The steps of processing one record: decoding, then the engine's phases (see EnginePhases). */
export type RecordPhase = 'decode' | EnginePhase;

/** Runs each step of the record being traced in a child span of the record's span. */
export interface RecordPhases {
  phase<T>(phase: RecordPhase, fn: () => T): T;
}

/**
 * Tracing of sampled records, kept behind an interface so the analytics know no tracing library:
 * `around` runs the processing of a record that carries a trace context inside a span and hands
 * the span's own traceparent to `fn`, which attaches it to the results the record produced.
 * `phases` (optional): while `around` runs a record in a recorded span, the hook that splits it
 * into steps; otherwise undefined, and the record takes the plain path (the actor asks only for
 * records that carry a trace context, so the others never call the tracer at all).
 * `failed` (optional) hears of every record that made the handler throw, traced or not (errors
 * are always traced).
 */
export interface RecordTracer {
  around(partition: number, record: SourceRecord, fn: (traceparent: string | undefined) => void): void;
  phases?(): RecordPhases | undefined;
  failed?(partition: number, record: SourceRecord, error: unknown): void;
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
  /**
   * Given, when the actor starts, a synchronous read of its state for status reports: an ask waits
   * behind every queued batch, i.e. fails exactly when the node is busiest and its status matters.
   */
  exposeState?: (read: () => PartitionState) => void;
}
