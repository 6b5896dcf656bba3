// The NFA step: advances the partial matches of ONE key by one event.
//
// Like FlinkCEP's SharedBuffer, a partial match does not own a copy of its events: it points at
// the last node of an immutable linked list (event, stage, prev), so branches share their common
// prefix and a take allocates one node. A partial match sits at a position (stage, count,
// mustTake); per event we walk the decision graph of that position:
//   take    - the stage's condition holds (and contiguity allows): new node, count + 1
//   ignore  - relaxed: the event does not match; any: always; strict: never. An ignoring partial
//             must take at this stage again before it may proceed (Flink's "ignore state"), which
//             is what keeps `a b? c` / `a b+ c` from producing the same match twice.
//   proceed - count >= min: evaluate the same event at the next stage (epsilon move).
import type { CompiledPattern, CompiledStage } from './compile.ts';
import type { MatchContext } from './pattern.ts';

export interface StoredEvent<E> {
  /**
   * The event while it is processed; afterwards null unless the pattern has iterative
   * conditions (which may read matched events). Long windows then retain a few numbers per
   * matched event, not the whole event.
   */
  event: E | null;
  readonly eventId: string;
  readonly offset: number;
  readonly time: number;
  /**
   * Position of the event in its key's processing order (strict contiguity is seq adjacency).
   * Assigned when the event is processed; -1 while it waits for the watermark.
   */
  seq: number;
}

export interface MatchNode<E> {
  readonly ev: StoredEvent<E>;
  readonly stage: number;
  readonly prev: MatchNode<E> | null;
}

export class PartialMatch<E> {
  constructor(
    readonly stage: number,
    readonly count: number,
    readonly mustTake: boolean,
    readonly node: MatchNode<E> | null,
    readonly startTime: number,
    readonly startSeq: number,
    readonly lastSeq: number,
  ) {}
}

/** Receives a completed match (the last node of its event chain). */
export type OnComplete<E> = (node: MatchNode<E>, startSeq: number, startTime: number) => void;


export class NfaStepper<E> implements MatchContext<E> {
  private readonly stages: readonly CompiledStage<E>[];
  private readonly last: number;
  /** Per-event cache of non-iterative conditions, by stage: valid where cacheGen === gen. */
  private readonly cacheGen: Uint32Array;
  private readonly cacheVal: Uint8Array;
  private gen = 0;
  private readonly start: PartialMatch<E>;
  // Per-step state, set by step(): avoids closures and argument threading in the hot loop.
  private ev: StoredEvent<E> | null = null;
  private out: PartialMatch<E>[] = [];
  private onComplete: OnComplete<E> = () => undefined;
  private ctxNode: MatchNode<E> | null = null;

  constructor(compiled: CompiledPattern<E>) {
    this.stages = compiled.stages;
    this.last = compiled.stages.length - 1;
    this.cacheGen = new Uint32Array(compiled.stages.length);
    this.cacheVal = new Uint8Array(compiled.stages.length);
    this.start = new PartialMatch<E>(0, 0, false, null, 0, 0, 0);
  }

  /** Advances `partials` (ordered by startSeq) by `ev`, appending successors to `out` in the same order. */
  // (The start partial is never stored, so inert()'s conditions see no matched events: only
  // non-iterative conditions are evaluated there.)
  step(partials: readonly PartialMatch<E>[], ev: StoredEvent<E>, out: PartialMatch<E>[], onComplete: OnComplete<E>): void {
    this.beginEvent(ev);
    this.out = out;
    this.onComplete = onComplete;
    for (let i = 0; i < partials.length; i++) {
      const p = partials[i];
      if (p !== undefined) this.expand(p, p.stage, p.count, p.mustTake, p.stage);
    }
    // The start state: every event may begin a new match.
    this.expand(this.start, 0, 0, false, 0);
    this.ev = null;
    this.ctxNode = null;
  }

  /**
   * Fast path: true if the event leaves every partial match at `positions` (stage, count,
   * mustTake triples) exactly as it is - a relaxed stage whose (non-iterative) condition rejects
   * it and that cannot proceed. Then step() would only copy the partials, and the caller can skip
   * touching them (they are scattered in memory: this is the hot loop's main cost). Also primes
   * the condition cache for stepStart().
   */
  inert(positions: readonly number[], ev: StoredEvent<E>): boolean {
    this.beginEvent(ev);
    for (let i = 0; i < positions.length; i += 3) {
      const j = positions[i] ?? 0;
      const c = positions[i + 1] ?? 0;
      const mt = positions[i + 2] === 1;
      const st = this.stages[j];
      if (st === undefined || st.iterative) return false;
      if (st.kind === 'notNext') return false;
      if (st.kind === 'notFollowedBy') {
        if (j !== this.last || this.cond(st, this.start, ev)) return false;
        continue;
      }
      if (st.until !== null || c >= st.max || (c === 0 ? st.contiguity : st.inner) !== 'relaxed') return false;
      if (c >= st.min && !mt && j < this.last) return false;
      if (this.cond(st, this.start, ev)) return false;
    }
    return true;
  }

  /** The start state alone (after inert() returned true for the same event): may append new partials. */
  stepStart(ev: StoredEvent<E>, out: PartialMatch<E>[], onComplete: OnComplete<E>): void {
    this.ev = ev;
    this.out = out;
    this.onComplete = onComplete;
    this.expand(this.start, 0, 0, false, 0);
    this.ev = null;
    this.ctxNode = null;
  }

  private beginEvent(ev: StoredEvent<E>): void {
    this.ev = ev;
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.cacheGen.fill(0);
      this.gen = 1;
    }
  }

  eventsFor(name: string): E[] {
    const idx = this.stages.findIndex((s) => s.name === name);
    const res: E[] = [];
    for (let n = this.ctxNode; n !== null; n = n.prev) if (n.stage === idx && n.ev.event !== null) res.push(n.ev.event);
    return res.reverse();
  }

  private cond(st: CompiledStage<E>, p: PartialMatch<E>, ev: StoredEvent<E>): boolean {
    const c = st.condition;
    if (c === null) return true;
    if (st.iterative) {
      this.ctxNode = p.node;
      return c(eventOf(ev), this);
    }
    const i = st.index;
    if (this.cacheGen[i] === this.gen) return this.cacheVal[i] === 1;
    this.ctxNode = p.node;
    const r = c(eventOf(ev), this);
    this.cacheGen[i] = this.gen;
    this.cacheVal[i] = r ? 1 : 0;
    return r;
  }

  /** Evaluates the current event at position (j, c, mt) of `p`; an ignore lands at stage `ignoreAt`. */
  private expand(p: PartialMatch<E>, j: number, c: number, mt: boolean, ignoreAt: number): void {
    const st = this.stages[j];
    const ev = this.ev;
    if (st === undefined || ev === null) return;
    if (st.kind !== 'normal') {
      if (this.cond(st, p, ev)) return; // the forbidden event: this branch dies
      if (st.kind === 'notNext') this.expand(p, j + 1, 0, false, j + 1);
      else if (j === this.last) this.keep(p, j, 0, false);
      else this.expand(p, j + 1, 0, false, j); // ignoring at the next stage keeps the guard
      return;
    }
    const started = p.node !== null;
    const contig = c === 0 ? st.contiguity : st.inner;
    const open = c < st.max && !(c > 0 && st.until !== null && this.untilHolds(st, p, ev));
    let took = false;
    if (open && (!started || contig !== 'strict' || ev.seq === p.lastSeq + 1) && this.cond(st, p, ev)) {
      took = true;
      this.take(p, j, c + 1, ev);
    }
    if (open && started && (contig === 'any' || (contig === 'relaxed' && !took))) {
      if (ignoreAt === j) this.keep(p, j, c, true);
      else this.keep(p, ignoreAt, 0, false);
    }
    if (c >= st.min && !mt && j < this.last && !(st.greedy && took)) this.expand(p, j + 1, 0, false, j + 1);
  }

  private untilHolds(st: CompiledStage<E>, p: PartialMatch<E>, ev: StoredEvent<E>): boolean {
    const u = st.until;
    if (u === null) return false;
    this.ctxNode = p.node;
    return u(eventOf(ev), this);
  }

  private take(p: PartialMatch<E>, j: number, count: number, ev: StoredEvent<E>): void {
    const node: MatchNode<E> = { ev, stage: j, prev: p.node };
    const first = p.node === null;
    const startTime = first ? ev.time : p.startTime;
    const startSeq = first ? ev.seq : p.startSeq;
    const st = this.stages[j];
    if (st === undefined) return;
    if (count >= st.min && st.completesHere) this.onComplete(node, startSeq, startTime);
    if (count >= st.max) {
      // A full last stage has nothing left to do; a full earlier stage can only proceed, which is
      // exactly what (next stage, 0) does: store it there and save an object on the next event.
      if (j === this.last) return;
      this.out.push(new PartialMatch<E>(j + 1, 0, false, node, startTime, startSeq, ev.seq));
      return;
    }
    this.out.push(new PartialMatch<E>(j, count, false, node, startTime, startSeq, ev.seq));
  }

  private keep(p: PartialMatch<E>, j: number, c: number, mustTake: boolean): void {
    // mustTake only ever blocks a proceed, which needs count >= min anyway: normalizing it lets
    // the common "still waiting for the first event" case reuse the same object.
    const mt = mustTake && c >= (this.stages[j]?.min ?? 0);
    if (p.stage === j && p.count === c && p.mustTake === mt) this.out.push(p);
    else this.out.push(new PartialMatch<E>(j, c, mt, p.node, p.startTime, p.startSeq, p.lastSeq));
  }
}

function eventOf<E>(ev: StoredEvent<E>): E {
  if (ev.event === null) throw new Error('CEP: event released before evaluation');
  return ev.event;
}

/** A partial match that a trailing notFollowedBy turns into a match when its window expires. */
export function completesOnTimeout<E>(stages: readonly CompiledStage<E>[], p: PartialMatch<E>): boolean {
  const st = stages[p.stage];
  if (st === undefined || !st.reachesFinalNegation) return false;
  if (st.kind === 'notFollowedBy') return true;
  return p.count >= st.min && !p.mustTake;
}

/** Adds the distinct positions of `partials` (from index `from`) to a (stage, count, mustTake) triple list. */
export function addPositions<E>(positions: number[], partials: readonly PartialMatch<E>[], from: number): void {
  outer: for (let i = from; i < partials.length; i++) {
    const p = partials[i];
    if (p === undefined) continue;
    const mt = p.mustTake ? 1 : 0;
    for (let k = 0; k < positions.length; k += 3) {
      if (positions[k] === p.stage && positions[k + 1] === p.count && positions[k + 2] === mt) continue outer;
    }
    positions.push(p.stage, p.count, mt);
  }
}
