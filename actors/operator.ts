// The contract between the partition's analytics engine and each analytic it runs
// (window aggregations, CEP patterns). Operators are synchronous and I/O-free: the engine feeds
// them accepted events and watermark advances, and collects what they emit.

import type { AnalyticsResult } from './results.ts';

export type Emit = (result: AnalyticsResult) => void;

export interface OperatorContext {
  /** The source partition this operator instance serves; part of every result id. */
  readonly partition: number;
}

export interface Operator<E> {
  readonly name: string;
  /**
   * What the operator is, for tracing only: a traced record runs window operators and pattern
   * operators in separate phases (spans `window.update` / `pattern.match`). Default 'window'.
   */
  readonly kind?: 'window' | 'pattern';
  /** An event that passed validation; `offset` is its position in the source partition. */
  onEvent(event: E, offset: number, emit: Emit): void;
  /** Event time has advanced to `watermark`: fire everything that is due. */
  onWatermark(watermark: number, emit: Emit): void;
  /**
   * Optional, processing-time: emit 'update' results (the values so far) for what changed since
   * the previous call. Speculative and not snapshotted: the deterministic firings do not depend
   * on whether or how often this is called.
   */
  takeUpdates?(emit: Emit): void;
  /** Bytes that `restore` turns back into an identical operator state. */
  snapshot(): Uint8Array;
  restore(bytes: Uint8Array): void;
  /** Counters for introspection (keys, buffered events, evictions, late drops...). */
  stats(): Record<string, number>;
  /**
   * Optional, cheap (read after every batch): events this operator ignored because they arrived
   * behind its watermark, in its state (so a restored operator goes on from its snapshot's count).
   * The pattern operators have such a rule; the windows' lateness is the engine's admission.
   */
  lateDropped?(): number;
}
