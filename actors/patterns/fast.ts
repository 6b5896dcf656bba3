// Specialised operators for the three built-in patterns. They produce exactly what the generic
// NFA operator (actors/cep/operator.ts) produces for funnelDefinition / cartAbandonmentDefinition
// / burstDefinition - same results, same emission order, same stats, same eviction rule - but
// keep each user's partial matches as a few flat arrays instead of NFA objects and event chains:
//
//   funnel          one entry per open product view; entries [head, mid) have taken a cart
//                   (the first one after them), entries [mid, len) wait for one. A conversion
//                   completes the entries with a cart; skip-past-last-event then emits the
//                   earliest and discards everything else of the user.
//   cartAbandonment one entry per cart view; a conversion discards them all, the window
//                   expiring turns each into a match.
//   burst           the user's events since the oldest live partial match (every event starts
//                   one and every live one takes every event): `threshold` entries = a match.
//
// Why this is equivalent to the NFA for these definitions (partials are ordered by start, starts
// by event time, so expiry and eviction both drop a prefix):
// - funnel: a product view's partial takes the first cart after it, then the first conversion
//   after that; all partials with a cart precede all without one; a completed match is held only
//   while an earlier-starting partial is alive, and the earliest with a cart is the earliest of
//   all, so it is emitted at once and prunes every partial (all started before the conversion).
// - burst: partial i has taken entries i..end; only the oldest can reach `threshold` (then every
//   partial is pruned, so the list never exceeds `threshold`).
// The differential test (fast.test.ts) runs both implementations side by side.
//
// The operators also skip events that cannot change anything: the funnel ignores events other
// than product / cart views and conversions (an expiry they would trigger is done by the
// watermark's deadline queue before onWatermark returns, and emits nothing for the funnel).
import type { RtapEvent } from '../events/types.ts';
import type { Emit, Operator } from '../operator.ts';
import type { PatternResult } from '../results.ts';
import { SlotHeap } from '../cep/buffer.ts';
import type { Counters } from '../cep/state.ts';
import { compilePattern } from '../cep/compile.ts';
import { decodeDeadlines, encodeDeadlines, type EncodedDeadlines } from '../cep/deadline-queue-codec.ts';
import { DEFAULT_MAX_PARTIALS_PER_KEY } from '../cep/operator.ts';
import type { Pattern } from '../cep/pattern.ts';

const noEmit: Emit = () => undefined;

/** One user's partial matches, oldest first, as parallel arrays; [head, length) is live. */
class UserState {
  key = '';
  lastDeadline = -Infinity;
  head = 0;
  /** funnel: entries [head, mid) have taken a cart. */
  mid = 0;
  /**
   * Entries [head, len) are live. The arrays may be longer (stale slots past len): a small state
   * is reset without truncating them, so a reused state (short windows free and recreate states
   * at a high rate) writes into its existing backing stores instead of allocating new ones.
   */
  len = 0;
  readonly sOff: number[] = [];
  readonly sTime: number[] = [];
  readonly sId: string[] = [];
  /** funnel: the cart taken by each entry (valid below mid). */
  readonly cOff: number[] = [];
  readonly cId: string[] = [];

  get size(): number {
    return this.len - this.head;
  }

  push(off: number, time: number, id: string): void {
    const n = this.len;
    if (n < this.sOff.length) {
      this.sOff[n] = off;
      this.sTime[n] = time;
      this.sId[n] = id;
    } else {
      this.sOff.push(off);
      this.sTime.push(time);
      this.sId.push(id);
    }
    this.len = n + 1;
  }

  /** funnel: an entry that has not taken a cart yet. */
  pushWaiting(off: number, time: number, id: string): void {
    const n = this.len;
    if (n < this.cOff.length) {
      this.cOff[n] = -1;
      this.cId[n] = '';
    } else {
      this.cOff.push(-1);
      this.cId.push('');
    }
    this.push(off, time, id);
  }

  /** Drops the k oldest entries. */
  drop(k: number): void {
    this.head += k;
    if (this.mid < this.head) this.mid = this.head;
    const len = this.len;
    if (this.head === len) {
      this.clear();
      return;
    }
    if (this.head > 32 && this.head * 2 > len) {
      const h = this.head;
      this.sOff.splice(0, h);
      this.sTime.splice(0, h);
      this.sId.splice(0, h);
      if (this.cOff.length > 0) {
        this.cOff.splice(0, h);
        this.cId.splice(0, h);
      }
      this.mid -= h;
      this.len -= h;
      this.head = 0;
    }
  }

  /** How many of the oldest entries have a window that ended at or before `now`. */
  expire(now: number, within: number): number {
    const times = this.sTime;
    const len = this.len;
    let i = this.head;
    while (i < len && now - (times[i] as number) >= within) i++;
    return i - this.head;
  }

  clear(): void {
    const big = this.sOff.length > 32;
    this.head = 0;
    this.mid = 0;
    this.len = 0;
    if (big) {
      this.sOff.length = 0;
      this.sTime.length = 0;
      this.sId.length = 0;
      this.cOff.length = 0;
      this.cId.length = 0;
    }
  }
}

type KeyRow = [key: string, lastDeadline: number | null, mid: number, sOff: number[], sTime: number[], sId: string[], cOff: number[], cId: string[]];

interface Encoded {
  v: string;
  watermark: number | null;
  /** Heap array order, kept as is: [time, offset, role, user, eventId]. */
  pending: [number, number, number, string, string][];
  keys: KeyRow[];
  /** fast1 snapshots: [time, key] pairs. */
  deadlines: EncodedDeadlines | [number, string][];
  counters: Counters;
}

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

abstract class FastPatternOperator implements Operator<RtapEvent> {
  readonly name: string;
  readonly kind = 'pattern';
  protected readonly maxPartials: number;
  protected readonly within: number;
  protected readonly timed: boolean;
  protected watermark = -Infinity;
  protected pending = new SlotHeap();
  protected keys = new Map<string, UserState>();
  private deadlineTimes: number[] = [];
  private deadlineKeys: string[] = [];
  /**
   * Used instead of deadlineKeys when expiry emits nothing (funnel, burst): the state object
   * itself, which saves a map lookup per entry. An entry may then reach a state that was freed
   * (empty: skipped) or reused for another user (expiring its due entries is what the watermark
   * does anyway), so after expireUpTo() the state is the same as with key lookups.
   */
  private deadlineStates: UserState[] = [];
  private deadlineHead = 0;
  /** Emptied states for reuse (short windows free and recreate states at a high rate). */
  private readonly pool: UserState[] = [];
  protected counters: Counters = { lateDropped: 0, evictions: 0, matched: 0, timedOut: 0, eventsProcessed: 0, completions: 0 };
  protected emit: Emit = noEmit;

  constructor(
    name: string, protected readonly partition: number, withinMs: number, maxPartialsPerKey: number | undefined,
    /** Expiry emits results: visit the deadline queue by key, in exactly the NFA operator's order. */
    private readonly expiryEmits: boolean,
  ) {
    this.name = name;
    this.maxPartials = maxPartialsPerKey ?? DEFAULT_MAX_PARTIALS_PER_KEY;
    if (!(this.maxPartials >= 1)) throw new Error('maxPartialsPerKey must be >= 1');
    this.within = withinMs;
    this.timed = Number.isFinite(withinMs);
  }

  onEvent(event: RtapEvent, offset: number, emit: Emit): void {
    const time = event.eventTime;
    if (!Number.isFinite(time) || time < this.watermark) {
      this.counters.lateDropped++;
      return;
    }
    this.buffer(event, offset, time);
    // At the watermark: on time (as in the windows), and after everything released so far in
    // (time, offset) order, so it is processed now rather than held until the next advance.
    if (time === this.watermark) {
      this.emit = emit;
      this.releaseReached();
      this.emit = noEmit;
    }
  }

  /**
   * Classifies the event while it is still hot in cache and buffers only what processing needs
   * (a role code, the user, the event id); the event object itself is not retained.
   */
  protected abstract buffer(event: RtapEvent, offset: number, time: number): void;

  onWatermark(watermark: number, emit: Emit): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    this.emit = emit;
    this.releaseReached();
    if (this.timed) this.expireUpTo(watermark);
    this.emit = noEmit;
  }

  /** Processes the buffered events the watermark has reached, in (time, offset) order. */
  private releaseReached(): void {
    const watermark = this.watermark;
    const pending = this.pending;
    const counters = this.counters;
    while (pending.length > 0 && pending.peekTime() <= watermark) {
      const slot = pending.pop();
      counters.eventsProcessed++;
      const role = pending.role[slot] as number;
      if (role !== 0 || this.roleZeroMatters) {
        this.process(role, pending.user[slot] as string, pending.id[slot] as string, pending.poppedOffset, pending.poppedTime);
      }
      pending.release(slot);
    }
  }

  /** Role-0 events may still expire the user's partial matches with emissions (cartAbandonment). */
  protected roleZeroMatters = false;

  /** One event, in (time, offset) order. */
  protected abstract process(role: number, user: string, eventId: string, offset: number, time: number): void;

  /** Drops (and, for a trailing negation, emits) the entries whose window ended by `now`. */
  protected expireKey(ks: UserState, now: number): void {
    const k = ks.expire(now, this.within);
    if (k > 0) ks.drop(k);
  }

  /** Bounds the user's partial matches, oldest evicted first. */
  protected evict(ks: UserState): void {
    const excess = ks.size - this.maxPartials;
    if (excess > 0) {
      ks.drop(excess);
      this.counters.evictions += excess;
    }
  }

  /** Queues the newest entry's deadline (deadlines of a user only grow). */
  protected queueDeadline(ks: UserState): void {
    if (!this.timed) return;
    const n = ks.len;
    if (n === ks.head) return;
    const d = (ks.sTime[n - 1] as number) + this.within;
    if (d > ks.lastDeadline) {
      ks.lastDeadline = d;
      this.deadlineTimes.push(d);
      if (this.expiryEmits) this.deadlineKeys.push(ks.key);
      else this.deadlineStates.push(ks);
    }
  }

  protected newState(key: string): UserState {
    const ks = this.pool.pop() ?? new UserState();
    ks.key = key;
    ks.lastDeadline = -Infinity;
    this.keys.set(key, ks);
    return ks;
  }

  /** Removes an empty state from the map. */
  protected freeState(ks: UserState): void {
    this.keys.delete(ks.key);
    ks.clear(); // normally already empty
    if (this.pool.length < 4096) this.pool.push(ks);
  }

  private expireUpTo(watermark: number): void {
    const times = this.deadlineTimes;
    const keys = this.deadlineKeys;
    const states = this.deadlineStates;
    const byKey = this.expiryEmits;
    while (this.deadlineHead < times.length && (times[this.deadlineHead] as number) <= watermark) {
      const i = this.deadlineHead++;
      const ks = byKey ? this.keys.get(keys[i] as string) : (states[i] as UserState);
      if (ks === undefined || ks.size === 0 || watermark - (ks.sTime[ks.head] as number) < this.within) continue;
      this.expireKey(ks, watermark);
      if (ks.size === 0) this.freeState(ks);
    }
    if (this.deadlineHead > 1024 && this.deadlineHead * 2 > times.length) {
      times.splice(0, this.deadlineHead);
      if (byKey) keys.splice(0, this.deadlineHead);
      else states.splice(0, this.deadlineHead);
      this.deadlineHead = 0;
    }
  }

  protected result(key: string, offsets: number[], eventIds: string[], startTime: number, endTime: number): PatternResult {
    return {
      kind: 'pattern', id: `${this.name}|p${this.partition}|${offsets.join('.')}`, pattern: this.name,
      partition: this.partition, key, status: 'matched', eventIds, offsets, startTime, endTime,
    };
  }

  snapshot(): Uint8Array {
    const keys: KeyRow[] = [];
    for (const ks of this.keys.values()) {
      const h = ks.head;
      keys.push([
        ks.key, fin(ks.lastDeadline), ks.mid - h, ks.sOff.slice(h, ks.len), ks.sTime.slice(h, ks.len), ks.sId.slice(h, ks.len),
        ks.cOff.slice(h, ks.mid), ks.cId.slice(h, ks.mid),
      ]);
    }
    const p = this.pending;
    const enc: Encoded = {
      v: `fast2:${this.name}`,
      watermark: fin(this.watermark),
      pending: p.rows(),
      keys,
      deadlines: encodeDeadlines(
        this.deadlineTimes,
        this.expiryEmits ? (j) => this.deadlineKeys[j] as string : (j) => (this.deadlineStates[j] as UserState).key,
        this.deadlineHead,
      ),
      counters: { ...this.counters },
    };
    return new TextEncoder().encode(JSON.stringify(enc));
  }

  restore(bytes: Uint8Array): void {
    const enc = JSON.parse(new TextDecoder().decode(bytes)) as Encoded;
    if (enc.v !== `fast2:${this.name}` && enc.v !== `fast1:${this.name}`) throw new Error(`unsupported ${this.name} snapshot version ${String(enc.v)}`);
    this.watermark = enc.watermark ?? -Infinity;
    this.pending = SlotHeap.fromRows(enc.pending);
    this.keys = new Map();
    for (const [key, lastDeadline, mid, sOff, sTime, sId, cOff, cId] of enc.keys) {
      const ks = new UserState();
      ks.key = key;
      ks.lastDeadline = lastDeadline ?? -Infinity;
      ks.mid = mid;
      ks.sOff.push(...sOff);
      ks.sTime.push(...sTime);
      ks.sId.push(...sId);
      ks.len = sOff.length;
      if (this.usesCarts()) {
        // cOff/cId stay aligned with the entries; only [0, mid) is meaningful.
        for (let i = 0; i < sOff.length; i++) {
          ks.cOff.push(i < mid ? (cOff[i] as number) : -1);
          ks.cId.push(i < mid ? (cId[i] as string) : '');
        }
      }
      this.keys.set(key, ks);
    }
    const deadlines = decodeDeadlines(enc.deadlines);
    this.deadlineTimes = deadlines.times;
    this.deadlineKeys = this.expiryEmits ? deadlines.keys : [];
    // A state freed before the snapshot: an empty placeholder (its entries are skipped).
    const dead = new UserState();
    this.deadlineStates = this.expiryEmits ? [] : deadlines.keys.map((k) => this.keys.get(k) ?? dead);
    this.deadlineHead = 0;
    this.counters = { ...enc.counters };
  }

  protected usesCarts(): boolean {
    return false;
  }

  lateDropped(): number {
    return this.counters.lateDropped;
  }

  stats(): Record<string, number> {
    let partials = 0;
    for (const ks of this.keys.values()) partials += ks.size;
    return {
      keys: this.keys.size, partials, heldMatches: 0, bufferedEvents: this.pending.length,
      deadlineQueue: this.deadlineTimes.length - this.deadlineHead,
      watermark: this.watermark, ...this.counters,
    };
  }
}

const PRODUCT = 1;
const CART = 2;
const CONVERSION = 3;

function funnelRole(e: RtapEvent): number {
  if (e.type === 'PageView') {
    const page = e.page;
    if (page === '/cart') return CART;
    if (page === '/product' || page.startsWith('/product/')) return PRODUCT;
    return 0;
  }
  return e.type === 'Conversion' ? CONVERSION : 0;
}

/** product view -> cart view -> conversion within `within`, skip past last event. */
export class FunnelOperator extends FastPatternOperator {
  constructor(name: string, partition: number, definition: Pattern<RtapEvent>, maxPartialsPerKey: number | undefined) {
    const compiled = compilePattern(definition);
    super(name, partition, compiled.withinMs, maxPartialsPerKey, false);
  }

  protected override usesCarts(): boolean {
    return true;
  }

  protected buffer(ev: RtapEvent, offset: number, time: number): void {
    const role = funnelRole(ev);
    if (role === 0) this.pending.push(time, offset, 0, '', '');
    else this.pending.push(time, offset, role, ev.userId, ev.eventId);
  }

  protected process(role: number, key: string, eventId: string, offset: number, time: number): void {
    let ks = this.keys.get(key);
    if (ks === undefined) {
      if (role !== PRODUCT) return;
      ks = this.newState(key);
    } else if (ks.size > 0 && time - (ks.sTime[ks.head] as number) >= this.within) {
      this.expireKey(ks, time);
    }
    if (role === PRODUCT) {
      ks.pushWaiting(offset, time, eventId);
      this.evict(ks);
      this.queueDeadline(ks);
    } else if (role === CART) {
      const n = ks.len;
      for (let i = ks.mid; i < n; i++) {
        ks.cOff[i] = offset;
        ks.cId[i] = eventId;
      }
      ks.mid = n;
    } else if (ks.mid > ks.head) {
      // Every entry with a cart completes; the earliest wins and prunes the user's partials.
      const h = ks.head;
      this.counters.completions += ks.mid - h;
      this.counters.matched++;
      const startTime = ks.sTime[h] as number;
      this.emit(this.result(key, [ks.sOff[h] as number, ks.cOff[h] as number, offset],
        [ks.sId[h] as string, ks.cId[h] as string, eventId], startTime, time));
      ks.clear();
    }
    if (ks.size === 0) this.freeState(ks);
  }
}

/** A cart view with no conversion after it within `within`: a match when the window expires. */
export class CartAbandonmentOperator extends FastPatternOperator {
  constructor(name: string, partition: number, definition: Pattern<RtapEvent>, maxPartialsPerKey: number | undefined) {
    const compiled = compilePattern(definition);
    super(name, partition, compiled.withinMs, maxPartialsPerKey, true);
  }

  protected override roleZeroMatters = true;

  protected buffer(ev: RtapEvent, offset: number, time: number): void {
    const role = ev.type === 'PageView' ? (ev.page === '/cart' ? CART : 0) : ev.type === 'Conversion' ? CONVERSION : 0;
    // Any event of a user may expire (= emit) its cart views, so every event keeps its user.
    this.pending.push(time, offset, role, ev.userId, role === CART ? ev.eventId : '');
  }

  protected process(role: number, key: string, eventId: string, offset: number, time: number): void {
    const ks = this.keys.get(key);
    if (ks === undefined) {
      if (role !== CART) return;
      const fresh = this.newState(key);
      fresh.push(offset, time, eventId);
      this.queueDeadline(fresh);
      return;
    }
    if (ks.size > 0 && time - (ks.sTime[ks.head] as number) >= this.within) this.expireKey(ks, time);
    if (role === CONVERSION) ks.clear();
    else if (role === CART) {
      ks.push(offset, time, eventId);
      this.evict(ks);
      this.queueDeadline(ks);
    }
    if (ks.size === 0) this.freeState(ks);
  }

  protected override expireKey(ks: UserState, now: number): void {
    const k = ks.expire(now, this.within);
    const within = this.within;
    for (let i = ks.head; i < ks.head + k; i++) {
      const t = ks.sTime[i] as number;
      this.counters.matched++;
      this.emit(this.result(ks.key, [ks.sOff[i] as number], [ks.sId[i] as string], t, t + within));
    }
    if (k > 0) ks.drop(k);
  }
}

/** `threshold` events of a user within `within`, skip past last event. */
export class BurstOperator extends FastPatternOperator {
  private readonly threshold: number;

  constructor(name: string, partition: number, definition: Pattern<RtapEvent>, maxPartialsPerKey: number | undefined) {
    const compiled = compilePattern(definition);
    super(name, partition, compiled.withinMs, maxPartialsPerKey, false);
    this.threshold = compiled.stages[0]?.max ?? 1;
  }

  protected buffer(ev: RtapEvent, offset: number, time: number): void {
    this.pending.push(time, offset, 1, ev.userId, ev.eventId);
  }

  protected process(_role: number, key: string, eventId: string, offset: number, time: number): void {
    let ks = this.keys.get(key);
    if (ks === undefined) {
      ks = this.newState(key);
    } else if (ks.size > 0 && time - (ks.sTime[ks.head] as number) >= this.within) {
      this.expireKey(ks, time);
    }
    ks.push(offset, time, eventId);
    if (ks.size >= this.threshold) {
      // The oldest partial match took its threshold-th event; every other one is pruned.
      const h = ks.head;
      this.counters.completions++;
      // The NFA queues the deadline of the partial the new event started before pruning it.
      if (this.threshold > 1) this.queueDeadline(ks);
      this.counters.matched++;
      this.emit(this.result(key, ks.sOff.slice(h, ks.len), ks.sId.slice(h, ks.len), ks.sTime[h] as number, time));
      ks.clear();
    } else {
      this.evict(ks);
      this.queueDeadline(ks);
    }
    if (ks.size === 0) this.freeState(ks);
  }
}
