// The whole mutable state of a CEP operator: what snapshot() serializes and restore() rebuilds.
import type { KeyHeap } from '../collections/key-heap.ts';
import type { MatchNode, PartialMatch, StoredEvent } from './nfa.ts';

export interface HeldMatch<E> {
  readonly node: MatchNode<E>;
  readonly startSeq: number;
  readonly startTime: number;
  readonly endTime: number;
  /** Completion order: the tie-break between matches with the same start. */
  readonly order: number;
}

export interface KeyState<E> {
  readonly key: string;
  /** Next per-key event sequence number. */
  seq: number;
  /** Latest deadline queued for this key (deadlines of a key only grow: starts are time-ordered). */
  lastDeadline: number;
  /** Ordered by startSeq. */
  partials: PartialMatch<E>[];
  /**
   * A superset of the (stage, count, mustTake) positions in `partials`, as triples; null =
   * unknown. Lets NfaStepper.inert() skip the partials entirely. Derived, never snapshotted.
   */
  positions: number[] | null;
  /** Completed matches waiting for earlier partial matches to resolve (skip strategies only). */
  held: HeldMatch<E>[];
}

/** Operator counters; the specialised pattern operators (actors/patterns/fast.ts) report the same ones. */
export interface Counters {
  lateDropped: number;
  evictions: number;
  matched: number;
  timedOut: number;
  eventsProcessed: number;
  completions: number;
}

export interface OperatorState<E> {
  watermark: number;
  /** Accepted events not yet passed by the watermark: a min-heap on (time, offset). */
  pending: KeyHeap<StoredEvent<E>>;
  keys: Map<string, KeyState<E>>;
  /**
   * FIFO of (deadline, key) as parallel arrays, deadlines non-decreasing (partial matches start in
   * time order); entries before deadlineHead are consumed.
   */
  deadlineTimes: number[];
  deadlineKeys: string[];
  deadlineHead: number;
  counters: Counters;
}
