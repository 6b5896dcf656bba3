// Session windows per key: an event at t opens [t, t + gap); sessions that overlap merge (an
// out-of-order event can bridge two sessions into one). A session fires 'final' when the
// watermark reaches its end (last event + gap) and is kept for allowedLateness after that, so a
// late event can still extend it or merge into it — each such change re-fires the session at once
// as 'late' with the next firing number. The result id carries the session's [start, end), so a
// merged session gets a new id; the session it absorbed stays superseded (documented in
// docs/analytics.md).
//
// Timers: one heap entry per live session, keyed by the session's `due` time; entries whose due
// no longer matches the session are stale and skipped. The session sequence number breaks ties,
// so firing order is independent of insertion history and a restored operator fires in exactly
// the same order as the original.

import { KeyHeap } from '../collections/key-heap.ts';
import type { Emit, Operator, OperatorContext } from '../operator.ts';
import type { Aggregator } from './aggregator.ts';
import { NO_WATERMARK } from '../time/clock.ts';
import { windowResult } from './result-id.ts';
import { fromBytes, toBytes } from './snapshot-bytes.ts';

export interface SessionWindowOptions<E, A> {
  name: string;
  gapMs: number;
  key: (event: E) => string | undefined;
  eventTime: (event: E) => number;
  aggregator: Aggregator<E, A>;
  allowedLatenessMs: number;
}

interface Session<A> {
  readonly key: string;
  readonly seq: number;
  start: number;
  /** Time of the latest event; the session ends at lastTime + gap. */
  lastTime: number;
  acc: A;
  emissions: number;
  fired: boolean;
  dead: boolean;
  /** The due time of this session's live heap entry. */
  due: number;
}

type SessionState = [key: string, seq: number, start: number, lastTime: number, acc: unknown, emissions: number, fired: boolean];

interface SessionSnapshot {
  watermark: number;
  nextSeq: number;
  sessions: SessionState[];
  counters: [number, number, number, number];
}

export class SessionWindowOperator<E, A> implements Operator<E> {
  readonly name: string;
  private readonly gap: number;
  private readonly lateness: number;
  private readonly partition: number;
  private readonly keyOf: (event: E) => string | undefined;
  private readonly timeOf: (event: E) => number;
  private readonly agg: Aggregator<E, A>;

  private watermark = NO_WATERMARK;
  /** key → that key's live sessions, ordered by start (almost always one). */
  private byKey = new Map<string, Array<Session<A>>>();
  private readonly timers = new KeyHeap<Session<A>>();
  private nextSeq = 0;
  private liveSessions = 0;

  private finalFirings = 0;
  private lateFirings = 0;
  private merges = 0;
  private eventsAdded = 0;

  constructor(ctx: OperatorContext, opts: SessionWindowOptions<E, A>) {
    if (!(opts.gapMs > 0)) throw new Error(`${opts.name}: gap must be positive`);
    this.name = opts.name;
    this.partition = ctx.partition;
    this.gap = opts.gapMs;
    this.lateness = opts.allowedLatenessMs;
    this.keyOf = opts.key;
    this.timeOf = opts.eventTime;
    this.agg = opts.aggregator;
  }

  onEvent(event: E, _offset: number, emit: Emit): void {
    const key = this.keyOf(event);
    if (key === undefined) return;
    const t = this.timeOf(event);
    const gap = this.gap;
    this.eventsAdded++;
    let list = this.byKey.get(key);
    if (list === undefined) {
      list = [];
      this.byKey.set(key, list);
    }
    // Common case: the event extends the key's only session.
    let session: Session<A> | undefined;
    let extendsOnly = false;
    if (list.length === 1) {
      const only = list[0] as Session<A>;
      if (only.start < t + gap && t < only.lastTime + gap) {
        session = only;
        extendsOnly = true;
      }
    }
    if (!extendsOnly) session = this.mergeOverlapping(list, t);
    if (session === undefined) {
      session = { key, seq: this.nextSeq++, start: t, lastTime: t, acc: this.agg.create(), emissions: 0, fired: false, dead: false, due: t + gap };
      this.insertSorted(list, session);
      this.liveSessions++;
      this.timers.push(session.due, session.seq, session);
    }
    if (t < session.start) session.start = t;
    if (t > session.lastTime) session.lastTime = t;
    this.agg.add(session.acc, event);

    const end = session.lastTime + gap;
    if (end <= this.watermark) {
      // Late data for a closed (or born-closed) session: correct it now.
      session.fired = true;
      this.lateFirings++;
      this.emit(session, 'late', emit);
      // Its purge time may now be later than its timer; the timer re-arms itself when it pops.
      if (session.due > end + this.lateness) this.arm(session, end + this.lateness);
    } else if (session.fired) {
      // A late event pushed a closed session's end past the watermark: it is open again.
      session.fired = false;
      this.arm(session, end);
    }
  }

  onWatermark(watermark: number, emit: Emit): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    const timers = this.timers;
    while (timers.size > 0 && timers.peekKey1() <= watermark) {
      const session = timers.pop();
      if (session.dead || timers.poppedKey1 !== session.due) continue;
      const end = session.lastTime + this.gap;
      const nowDue = session.fired ? end + this.lateness : end;
      if (nowDue > watermark) {
        this.arm(session, nowDue);
      } else if (!session.fired) {
        session.fired = true;
        this.finalFirings++;
        this.emit(session, 'final', emit);
        this.arm(session, end + this.lateness);
      } else {
        this.purge(session);
      }
    }
  }

  snapshot(): Uint8Array {
    const sessions: SessionState[] = [];
    for (const list of this.byKey.values()) {
      for (const s of list) sessions.push([s.key, s.seq, s.start, s.lastTime, this.agg.encode(s.acc), s.emissions, s.fired]);
    }
    const state: SessionSnapshot = {
      watermark: this.watermark,
      nextSeq: this.nextSeq,
      sessions,
      counters: [this.finalFirings, this.lateFirings, this.merges, this.eventsAdded],
    };
    return toBytes(state);
  }

  restore(bytes: Uint8Array): void {
    const state = fromBytes<SessionSnapshot>(bytes);
    this.watermark = state.watermark;
    this.nextSeq = state.nextSeq;
    this.byKey = new Map();
    this.timers.clear();
    this.liveSessions = 0;
    for (const [key, seq, start, lastTime, acc, emissions, fired] of state.sessions) {
      const end = lastTime + this.gap;
      const session: Session<A> = { key, seq, start, lastTime, acc: this.agg.decode(acc), emissions, fired, dead: false, due: fired ? end + this.lateness : end };
      let list = this.byKey.get(key);
      if (!list) {
        list = [];
        this.byKey.set(key, list);
      }
      list.push(session);
      this.liveSessions++;
      this.timers.push(session.due, session.seq, session);
    }
    [this.finalFirings, this.lateFirings, this.merges, this.eventsAdded] = state.counters;
  }

  stats(): Record<string, number> {
    return {
      keys: this.byKey.size,
      sessions: this.liveSessions,
      timers: this.timers.size,
      eventsAdded: this.eventsAdded,
      finalFirings: this.finalFirings,
      lateFirings: this.lateFirings,
      merges: this.merges,
      watermark: this.watermark,
    };
  }

  /** Merges every session of `list` that [t, t + gap) overlaps into the earliest; returns it. */
  private mergeOverlapping(list: Array<Session<A>>, t: number): Session<A> | undefined {
    let survivor: Session<A> | undefined;
    for (let i = 0; i < list.length; ) {
      const s = list[i] as Session<A>;
      if (!(s.start < t + this.gap && t < s.lastTime + this.gap)) {
        i++;
        continue;
      }
      if (survivor === undefined) {
        survivor = s;
        i++;
        continue;
      }
      // s starts later than survivor (list is sorted): fold it in and drop it.
      this.agg.merge(survivor.acc, s.acc);
      if (s.start < survivor.start) survivor.start = s.start;
      if (s.lastTime > survivor.lastTime) survivor.lastTime = s.lastTime;
      if (s.emissions > survivor.emissions) survivor.emissions = s.emissions;
      survivor.fired = survivor.fired && s.fired;
      s.dead = true;
      list.splice(i, 1);
      this.liveSessions--;
      this.merges++;
    }
    if (survivor && !survivor.fired && survivor.due > survivor.lastTime + this.gap) this.arm(survivor, survivor.lastTime + this.gap);
    return survivor;
  }

  private insertSorted(list: Array<Session<A>>, session: Session<A>): void {
    let i = list.length;
    while (i > 0 && (list[i - 1] as Session<A>).start > session.start) i--;
    list.splice(i, 0, session);
  }

  private arm(session: Session<A>, due: number): void {
    session.due = due;
    this.timers.push(due, session.seq, session);
  }

  private purge(session: Session<A>): void {
    session.dead = true;
    this.liveSessions--;
    const list = this.byKey.get(session.key);
    if (!list) return;
    const i = list.indexOf(session);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(session.key);
  }

  private emit(session: Session<A>, trigger: 'final' | 'late', emit: Emit): void {
    const values = this.agg.values(session.acc);
    values.durationMs = session.lastTime - session.start;
    const firing = session.emissions++;
    emit(windowResult(this.name, this.partition, session.key, session.start, session.lastTime + this.gap, firing, trigger, values));
  }
}
