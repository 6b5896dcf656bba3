// A compiled pattern as an engine Operator: per-key NFA evaluation in event-time order.
//
// Events are buffered until the watermark passes them, then processed sorted by (eventTime,
// offset), so arrival order never changes the output. Within-windows are enforced per event and,
// through a deadline queue, on every watermark: that is what times out partial matches and
// completes patterns ending in notFollowedBy. With a skip strategy, completed matches are held
// until no earlier-starting partial match could still complete (as FlinkCEP does), so the
// earliest match always wins.
import { KeyHeap } from '../collections/key-heap.ts';
import type { Emit, Operator } from '../operator.ts';
import type { PatternResult } from '../results.ts';
import { compilePattern } from './compile.ts';
import type { CompiledPattern } from './compile.ts';
import { NfaStepper, addPositions, completesOnTimeout } from './nfa.ts';
import type { MatchNode, PartialMatch, StoredEvent } from './nfa.ts';
import type { Pattern } from './pattern.ts';
import { decodeState, encodeState } from './snapshot.ts';
import type { KeyState, OperatorState } from './state.ts';

/** What the engine needs from an event; RtapEvent qualifies. Events must be JSON-serializable. */
export interface CepEvent {
  readonly eventId: string;
  readonly eventTime: number;
}

export interface CepOperatorOptions<E> {
  /** Pattern name: the operator name and the first part of every result id. */
  readonly name: string;
  readonly partition: number;
  /** Partial matches are per key (e.g. userId). */
  readonly key: (event: E) => string;
  /** Default 1000. Beyond it the key's oldest partial match is evicted (stats().evictions). */
  readonly maxPartialsPerKey?: number;
  /** Report partial matches that hit the within() window as status 'timedOut'. Default false. */
  readonly emitTimeouts?: boolean;
}

export const DEFAULT_MAX_PARTIALS_PER_KEY = 1000;

export function cepOperator<E extends CepEvent>(pattern: Pattern<E>, opts: CepOperatorOptions<E>): Operator<E> {
  return new CepOperator(compilePattern(pattern), opts);
}

class CepOperator<E extends CepEvent> implements Operator<E> {
  readonly name: string;
  readonly kind = 'pattern';
  private readonly stepper: NfaStepper<E>;
  private readonly maxPartials: number;
  private readonly emitTimeouts: boolean;
  private readonly within: number;
  /** within() is set: partial matches expire. */
  private readonly timed: boolean;
  private state: OperatorState<E> = emptyState<E>();
  private scratch: PartialMatch<E>[] = [];
  // Per-step emission context (avoids a closure per event).
  private emit: Emit = () => undefined;
  private curKey: KeyState<E> | null = null;
  private readonly completeCb = (node: MatchNode<E>, startSeq: number, startTime: number): void => {
    const ks = this.curKey;
    if (ks !== null) this.complete(ks, node, startSeq, startTime, node.ev.time);
  };

  constructor(private readonly compiled: CompiledPattern<E>, private readonly opts: CepOperatorOptions<E>) {
    this.name = opts.name;
    this.stepper = new NfaStepper(compiled);
    this.maxPartials = opts.maxPartialsPerKey ?? DEFAULT_MAX_PARTIALS_PER_KEY;
    if (!(this.maxPartials >= 1)) throw new Error('maxPartialsPerKey must be >= 1');
    this.emitTimeouts = opts.emitTimeouts ?? false;
    this.within = compiled.withinMs;
    this.timed = Number.isFinite(compiled.withinMs);
  }

  onEvent(event: E, offset: number, emit: Emit): void {
    const s = this.state;
    const time = event.eventTime;
    if (!Number.isFinite(time) || time < s.watermark) {
      s.counters.lateDropped++;
      return;
    }
    s.pending.push(time, offset, { event, eventId: event.eventId, offset, time, seq: -1 });
    // At the watermark: on time (as in the windows), and after everything released so far in
    // (time, offset) order, so it is processed now rather than held until the next advance.
    if (time === s.watermark) this.release(emit);
  }

  onWatermark(watermark: number, emit: Emit): void {
    const s = this.state;
    if (!(watermark > s.watermark)) return;
    s.watermark = watermark;
    this.emit = emit;
    this.releaseReached();
    if (this.timed) this.expireUpTo(watermark);
    this.emit = () => undefined;
  }

  private release(emit: Emit): void {
    this.emit = emit;
    this.releaseReached();
    this.emit = () => undefined;
  }

  /** Processes the buffered events the watermark has reached, in (time, offset) order. */
  private releaseReached(): void {
    const s = this.state;
    const pending = s.pending;
    while (pending.size > 0 && pending.peekKey1() <= s.watermark) this.process(pending.pop());
  }

  snapshot(): Uint8Array {
    return encodeState(this.state);
  }

  restore(bytes: Uint8Array): void {
    this.state = decodeState<E>(bytes);
  }

  lateDropped(): number {
    return this.state.counters.lateDropped;
  }

  stats(): Record<string, number> {
    const s = this.state;
    let partials = 0;
    let held = 0;
    for (const ks of s.keys.values()) {
      partials += ks.partials.length;
      held += ks.held.length;
    }
    return {
      keys: s.keys.size, partials, heldMatches: held, bufferedEvents: s.pending.size,
      deadlineQueue: s.deadlineTimes.length - s.deadlineHead,
      watermark: s.watermark, ...s.counters,
    };
  }

  // --- per-event processing ---------------------------------------------------------------

  private process(ev: StoredEvent<E>): void {
    const s = this.state;
    if (ev.event === null) return; // cannot happen: pending events are never released
    const key = this.opts.key(ev.event);
    let ks = s.keys.get(key);
    if (ks === undefined) {
      ks = { key, seq: 0, lastDeadline: -Infinity, partials: [], held: [], positions: [] };
      s.keys.set(key, ks);
    }
    s.counters.eventsProcessed++;
    const oldest = ks.partials[0]; // the earliest start: partials are ordered by start
    if (oldest !== undefined && ev.time - oldest.startTime >= this.within) this.expireKey(ks, ev.time);
    ev.seq = ks.seq++;
    this.curKey = ks;
    let positions = ks.positions;
    if (positions === null) {
      positions = [];
      addPositions(positions, ks.partials, 0);
    }
    let out = ks.partials;
    if (this.stepper.inert(positions, ev)) {
      const before = out.length;
      this.stepper.stepStart(ev, out, this.completeCb);
      addPositions(positions, out, before);
    } else {
      out = this.scratch;
      out.length = 0;
      this.stepper.step(ks.partials, ev, out, this.completeCb);
      this.scratch = ks.partials;
      ks.partials = out;
      positions.length = 0;
      addPositions(positions, out, 0);
    }
    ks.positions = positions;
    this.curKey = null;
    if (!this.compiled.keepsEvents) ev.event = null;
    if (out.length > this.maxPartials) {
      const excess = out.length - this.maxPartials;
      out.splice(0, excess); // oldest first: the array is ordered by start
      s.counters.evictions += excess;
    }
    const newest = out[out.length - 1];
    if (this.timed && newest !== undefined && newest.startTime + this.within > ks.lastDeadline) {
      ks.lastDeadline = newest.startTime + this.within;
      s.deadlineTimes.push(ks.lastDeadline);
      s.deadlineKeys.push(key);
    }
    if (ks.held.length > 0) this.flushHeld(ks);
    if (ks.partials.length === 0 && ks.held.length === 0) s.keys.delete(key);
  }

  /** Drops partial matches whose window ended at or before `now` (timeouts / trailing negations). */
  private expireKey(ks: KeyState<E>, now: number): void {
    const within = this.within;
    const partials = ks.partials;
    let kept = 0;
    let seen: Set<string> | null = null;
    for (let i = 0; i < partials.length; i++) {
      const p = partials[i];
      if (p === undefined) continue;
      if (now - p.startTime < within) {
        partials[kept++] = p;
        continue;
      }
      const node = p.node;
      if (node === null) continue;
      const negationDone = this.compiled.endsWithNegation && completesOnTimeout(this.compiled.stages, p);
      if (!negationDone && !this.emitTimeouts) continue;
      // Several positions can share one event chain: report each chain once.
      const sig = offsetsOf(node).join('.') + (negationDone ? '' : '|t');
      seen ??= new Set();
      if (seen.has(sig)) continue;
      seen.add(sig);
      if (negationDone) this.complete(ks, node, p.startSeq, p.startTime, p.startTime + within);
      else {
        this.state.counters.timedOut++;
        this.emit(this.result(ks.key, node, 'timedOut', p.startTime, p.startTime + within));
      }
    }
    partials.length = kept;
  }

  private expireUpTo(watermark: number): void {
    // Keys are visited in queue order, which the snapshot preserves: same emission order after restore.
    const s = this.state;
    const times = s.deadlineTimes;
    while (s.deadlineHead < times.length && (times[s.deadlineHead] ?? Infinity) <= watermark) {
      const key = s.deadlineKeys[s.deadlineHead++] ?? '';
      const ks = s.keys.get(key);
      const oldest = ks?.partials[0];
      if (ks === undefined || oldest === undefined || watermark - oldest.startTime < this.within) continue;
      this.expireKey(ks, watermark);
      if (ks.held.length > 0) this.flushHeld(ks);
      if (ks.partials.length === 0 && ks.held.length === 0) s.keys.delete(key);
    }
    if (s.deadlineHead > 1024 && s.deadlineHead * 2 > times.length) {
      times.splice(0, s.deadlineHead);
      s.deadlineKeys.splice(0, s.deadlineHead);
      s.deadlineHead = 0;
    }
  }

  // --- completed matches and skip strategies -----------------------------------------------

  private complete(ks: KeyState<E>, node: MatchNode<E>, startSeq: number, startTime: number, endTime: number): void {
    if (this.compiled.skip.kind === 'noSkip') {
      this.emitMatch(ks.key, node, startTime, endTime);
      return;
    }
    const held = ks.held;
    const order = this.state.counters.completions++;
    let i = held.length;
    while (i > 0 && (held[i - 1]?.startSeq ?? 0) > startSeq) i--;
    held.splice(i, 0, { node, startSeq, startTime, endTime, order });
  }

  /** Emits held matches no earlier-starting partial match can pre-empt, pruning per the skip strategy. */
  private flushHeld(ks: KeyState<E>): void {
    const held = ks.held;
    while (held.length > 0) {
      const m = held[0];
      const first = ks.partials[0];
      if (m === undefined || (first !== undefined && first.startSeq < m.startSeq)) return;
      held.shift();
      this.emitMatch(ks.key, m.node, m.startTime, m.endTime);
      const cut = this.pruneBound(m.node, m.startSeq);
      if (cut === null) continue;
      const [bound, inclusive] = cut;
      const dead = (seq: number): boolean => (inclusive ? seq <= bound : seq < bound);
      ks.partials = ks.partials.filter((p) => !dead(p.startSeq));
      for (let i = held.length - 1; i >= 0; i--) if (dead(held[i]?.startSeq ?? Infinity)) held.splice(i, 1);
    }
  }

  /** [seq, inclusive]: partial matches starting before (or at) seq are discarded. */
  private pruneBound(node: MatchNode<E>, startSeq: number): [number, boolean] | null {
    const skip = this.compiled.skip;
    switch (skip.kind) {
      case 'noSkip': return null;
      case 'skipToNext': return [startSeq, true];
      case 'skipPastLastEvent': return [node.ev.seq, true];
      case 'skipToFirst':
      case 'skipToLast': {
        let seq = -1;
        for (let n: MatchNode<E> | null = node; n !== null; n = n.prev) {
          if (n.stage !== this.compiled.skipStage) continue;
          if (skip.kind === 'skipToFirst' || seq < 0) seq = n.ev.seq; // walking backwards
        }
        return seq < 0 ? null : [seq, false];
      }
    }
  }

  private emitMatch(key: string, node: MatchNode<E>, startTime: number, endTime: number): void {
    this.state.counters.matched++;
    this.emit(this.result(key, node, 'matched', startTime, endTime));
  }

  private result(key: string, node: MatchNode<E>, status: 'matched' | 'timedOut', startTime: number, endTime: number): PatternResult {
    const offsets: number[] = [];
    const eventIds: string[] = [];
    for (let n: MatchNode<E> | null = node; n !== null; n = n.prev) {
      offsets.push(n.ev.offset);
      eventIds.push(n.ev.eventId);
    }
    offsets.reverse();
    eventIds.reverse();
    const base = `${this.name}|p${this.opts.partition}|${offsets.join('.')}`;
    return {
      kind: 'pattern', id: status === 'matched' ? base : `${base}|timeout`, pattern: this.name,
      partition: this.opts.partition, key, status, eventIds, offsets, startTime, endTime,
    };
  }
}

function offsetsOf<E>(node: MatchNode<E>): number[] {
  const res: number[] = [];
  for (let n: MatchNode<E> | null = node; n !== null; n = n.prev) res.push(n.ev.offset);
  return res;
}

function emptyState<E>(): OperatorState<E> {
  return {
    watermark: -Infinity, pending: new KeyHeap(), keys: new Map(), deadlineTimes: [], deadlineKeys: [], deadlineHead: 0,
    counters: { lateDropped: 0, evictions: 0, matched: 0, timedOut: 0, eventsProcessed: 0, completions: 0 },
  };
}


