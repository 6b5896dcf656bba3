// Tumbling and sliding (hopping) event-time windows, pane-based: an event is added once, to the
// pane (slide-sized slice) its time falls in; a window of size N·slide is the merge of its N panes
// at firing time. Tumbling is the case size = slide (one pane per window, no merge).
//
// Firing rules (the oracle in actors/testkit/ states the same rules brute-force):
// - 'early' (opt-in): when the watermark crosses a multiple of earlyFiringIntervalMs, every open
//   window emits the keys that changed since their last emission;
// - 'final': when the watermark reaches a window's end, every key with data fires (firing 0, or
//   the next number after early firings);
// - 'late': an accepted event for a window whose end the watermark has passed but end +
//   allowedLateness has not, re-fires that window for that key at once, firing = emissions so far;
// - a window whose end + allowedLateness ≤ watermark is gone; events only for such windows count as
//   `expiredDrops` (the engine's lateness check normally catches them first).

import type { Emit, Operator, OperatorContext } from '../operator.ts';
import type { Aggregator } from './aggregator.ts';
import { NO_WATERMARK } from '../time/clock.ts';
import { windowResult } from './result-id.ts';
import { fromBytes, toBytes } from './snapshot-bytes.ts';

export interface PanedWindowOptions<E, A> {
  name: string;
  sizeMs: number;
  /** Default: sizeMs (tumbling). sizeMs must be a multiple of slideMs. */
  slideMs?: number;
  /** The grouping key; undefined skips the event (e.g. the wrong event type). */
  key: (event: E) => string | undefined;
  eventTime: (event: E) => number;
  aggregator: Aggregator<E, A>;
  allowedLatenessMs: number;
  /**
   * Early firings: each time the watermark crosses a multiple of this interval, every still-open
   * window emits 'early' for the keys that changed since their last emission. 0 = off.
   */
  earlyFiringIntervalMs?: number;
  /**
   * Track changed keys for `takeUpdates` (processing-time 'update' results). Costs one Set.add per
   * event and open window, and each update merges the key's panes: cheap for tumbling windows,
   * expensive for long sliding windows of large accumulators (distinct users), so it is opt-in.
   */
  updates?: boolean;
}

interface PanedState {
  watermark: number;
  lastFiredEnd: number;
  panes: Array<[number, Array<[string, unknown]>]>;
  emissions: Array<[number, Array<[string, number]>]>;
  dirty: Array<[number, string[]]>;
  counters: [number, number, number, number];
}

export class PanedWindowOperator<E, A> implements Operator<E> {
  readonly name: string;
  private readonly slide: number;
  private readonly size: number;
  private readonly panesPerWindow: number;
  private readonly lateness: number;
  private readonly early: number;
  private readonly partition: number;
  private readonly keyOf: (event: E) => string | undefined;
  private readonly timeOf: (event: E) => number;
  private readonly agg: Aggregator<E, A>;

  private watermark = NO_WATERMARK;
  /** Pane index → key → accumulator. */
  private panes = new Map<number, Map<string, A>>();
  /** Pane indices in ascending order (panes mostly arrive in order: push is the common case). */
  private paneOrder: number[] = [];
  /** Window-end pane index of the last window fired by the watermark. */
  private lastFiredEnd = NO_WATERMARK;
  /** Window end pane index → key → emissions so far; kept only while late firings are possible. */
  private emissions = new Map<number, Map<string, number>>();
  /**
   * Sliding windows only: the merged accumulators of closed windows still open to late data, so a
   * late event costs one `add` instead of a merge of every pane. Always equal to the merge of the
   * panes, hence not snapshotted (rebuilt on demand after a restore).
   */
  private closedWindows = new Map<number, Map<string, A>>();
  /** Early firings only: open window end → keys changed since their last emission. */
  private dirty = new Map<number, Set<string>>();
  /** Updates only: open window end → keys changed since the last `takeUpdates`. Not snapshotted. */
  private readonly changed: Map<number, Set<string>> | undefined;
  // Hot-path cache: consecutive events usually share a pane.
  private cachedPaneIndex = NaN;
  private cachedPane: Map<string, A> | undefined;

  private finalFirings = 0;
  private lateFirings = 0;
  private expiredDrops = 0;
  private eventsAdded = 0;

  constructor(ctx: OperatorContext, opts: PanedWindowOptions<E, A>) {
    this.name = opts.name;
    this.partition = ctx.partition;
    this.size = opts.sizeMs;
    this.slide = opts.slideMs ?? opts.sizeMs;
    if (!(this.slide > 0) || this.size % this.slide !== 0) throw new Error(`${opts.name}: size ${this.size} must be a positive multiple of slide ${this.slide}`);
    this.panesPerWindow = this.size / this.slide;
    this.lateness = opts.allowedLatenessMs;
    this.early = opts.earlyFiringIntervalMs ?? 0;
    this.keyOf = opts.key;
    this.timeOf = opts.eventTime;
    this.agg = opts.aggregator;
    this.changed = opts.updates ? new Map() : undefined;
  }

  onEvent(event: E, _offset: number, emit: Emit): void {
    const key = this.keyOf(event);
    if (key === undefined) return;
    const p = Math.floor(this.timeOf(event) / this.slide);
    const wm = this.watermark;
    const lastEnd = p + this.panesPerWindow; // end pane index of the last window holding pane p
    if (lastEnd * this.slide + this.lateness <= wm) {
      this.expiredDrops++;
      return;
    }
    let pane = p === this.cachedPaneIndex ? this.cachedPane : this.panes.get(p);
    if (pane === undefined) pane = this.createPane(p);
    this.cachedPaneIndex = p;
    this.cachedPane = pane;
    let acc = pane.get(key);
    if (acc === undefined) {
      acc = this.agg.create();
      pane.set(key, acc);
    }
    this.agg.add(acc, event);
    this.eventsAdded++;
    if (this.early > 0) this.markDirty(this.dirty, p, lastEnd, key);
    if (this.changed) this.markDirty(this.changed, p, lastEnd, key);
    // Fast path: the first window holding this pane is still open, so no late firing.
    if ((p + 1) * this.slide > wm) return;
    for (let end = p + 1; end <= lastEnd; end++) {
      const endMs = end * this.slide;
      if (endMs > wm) break;
      if (endMs + this.lateness <= wm) continue;
      this.fireKey(end, key, event, emit);
    }
  }

  onWatermark(watermark: number, emit: Emit): void {
    if (watermark <= this.watermark) return;
    const previous = this.watermark;
    this.watermark = watermark;
    const lastDue = Math.floor(watermark / this.slide);
    if (this.paneOrder.length > 0 && lastDue > this.lastFiredEnd) {
      let end = Math.max(this.lastFiredEnd + 1, (this.paneOrder[0] as number) + 1);
      let cursor = 0; // first pane in paneOrder that may belong to window `end`
      while (end <= lastDue) {
        const firstPane = end - this.panesPerWindow;
        while (cursor < this.paneOrder.length && (this.paneOrder[cursor] as number) < firstPane) cursor++;
        if (cursor >= this.paneOrder.length) break;
        const nextPane = this.paneOrder[cursor] as number;
        // No pane in [firstPane, end): jump to the first window that holds the next pane.
        if (nextPane >= end) {
          end = nextPane + 1;
          continue;
        }
        this.fireWindow(end, emit);
        end++;
      }
    }
    if (lastDue > this.lastFiredEnd) this.lastFiredEnd = lastDue;
    this.evict(watermark);
    if (this.early > 0 && Math.floor(watermark / this.early) > Math.floor(previous / this.early)) this.fireEarly(emit);
  }

  snapshot(): Uint8Array {
    const panes: PanedState['panes'] = [];
    for (const p of this.paneOrder) {
      const pane = this.panes.get(p);
      if (!pane) continue;
      const entries: Array<[string, unknown]> = [];
      for (const [key, acc] of pane) entries.push([key, this.agg.encode(acc)]);
      panes.push([p, entries]);
    }
    const emissions: PanedState['emissions'] = [];
    for (const [end, byKey] of this.emissions) emissions.push([end, [...byKey]]);
    const dirty: PanedState['dirty'] = [];
    for (const [end, keys] of this.dirty) dirty.push([end, [...keys]]);
    const state: PanedState = {
      watermark: this.watermark,
      lastFiredEnd: this.lastFiredEnd,
      panes,
      emissions,
      dirty,
      counters: [this.finalFirings, this.lateFirings, this.expiredDrops, this.eventsAdded],
    };
    return toBytes(state);
  }

  restore(bytes: Uint8Array): void {
    const state = fromBytes<PanedState>(bytes);
    this.watermark = state.watermark;
    this.lastFiredEnd = state.lastFiredEnd;
    this.panes = new Map();
    this.paneOrder = [];
    for (const [p, entries] of state.panes) {
      const pane = new Map<string, A>();
      for (const [key, json] of entries) pane.set(key, this.agg.decode(json));
      this.panes.set(p, pane);
      this.paneOrder.push(p);
    }
    this.emissions = new Map(state.emissions.map(([end, byKey]) => [end, new Map(byKey)]));
    this.closedWindows = new Map();
    this.dirty = new Map(state.dirty.map(([end, keys]) => [end, new Set(keys)]));
    [this.finalFirings, this.lateFirings, this.expiredDrops, this.eventsAdded] = state.counters;
    this.cachedPaneIndex = NaN;
    this.cachedPane = undefined;
  }

  stats(): Record<string, number> {
    let keys = 0;
    for (const pane of this.panes.values()) keys += pane.size;
    return {
      panes: this.panes.size,
      paneKeys: keys,
      eventsAdded: this.eventsAdded,
      finalFirings: this.finalFirings,
      lateFirings: this.lateFirings,
      expiredDrops: this.expiredDrops,
      watermark: this.watermark,
    };
  }

  private createPane(p: number): Map<string, A> {
    const pane = new Map<string, A>();
    this.panes.set(p, pane);
    const order = this.paneOrder;
    if (order.length === 0 || (order[order.length - 1] as number) < p) {
      order.push(p);
    } else {
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((order[mid] as number) < p) lo = mid + 1;
        else hi = mid;
      }
      order.splice(lo, 0, p);
    }
    return pane;
  }

  /** Final firing of window `end` (a pane index): every key with data in its panes. */
  private fireWindow(end: number, emit: Emit): void {
    const startMs = (end - this.panesPerWindow) * this.slide;
    const endMs = end * this.slide;
    const track = this.lateness > 0 || this.early > 0;
    // Early firings may have emitted already: continue their numbering.
    const fired = track ? (this.emissions.get(end) ?? new Map<string, number>()) : undefined;
    this.dirty.delete(end);
    if (this.panesPerWindow === 1) {
      const pane = this.panes.get(end - 1);
      if (!pane) return;
      for (const [key, acc] of pane) {
        const firing = fired?.get(key) ?? 0;
        emit(windowResult(this.name, this.partition, key, startMs, endMs, firing, 'final', this.agg.values(acc)));
        fired?.set(key, firing + 1);
      }
    } else {
      const merged = new Map<string, A>();
      for (let p = end - this.panesPerWindow; p < end; p++) {
        const pane = this.panes.get(p);
        if (!pane) continue;
        for (const [key, acc] of pane) {
          let into = merged.get(key);
          if (!into) {
            into = this.agg.create();
            merged.set(key, into);
          }
          this.agg.merge(into, acc);
        }
      }
      for (const [key, acc] of merged) {
        const firing = fired?.get(key) ?? 0;
        emit(windowResult(this.name, this.partition, key, startMs, endMs, firing, 'final', this.agg.values(acc)));
        fired?.set(key, firing + 1);
      }
      if (track && merged.size > 0) this.closedWindows.set(end, merged);
    }
    this.finalFirings++;
    if (fired && fired.size > 0) this.emissions.set(end, fired);
  }

  /** Marks `key` changed in every still-open window holding pane `p`. */
  private markDirty(marks: Map<number, Set<string>>, p: number, lastEnd: number, key: string): void {
    for (let end = p + 1; end <= lastEnd; end++) {
      if (end * this.slide <= this.watermark) continue;
      let keys = marks.get(end);
      if (!keys) {
        keys = new Set();
        marks.set(end, keys);
      }
      keys.add(key);
    }
  }

  takeUpdates(emit: Emit): void {
    const changed = this.changed;
    if (!changed || changed.size === 0) return;
    const ends = [...changed.keys()].sort((a, b) => a - b);
    for (const end of ends) {
      // A window that closed since is covered by its final firing.
      if (end * this.slide <= this.watermark) continue;
      const byKey = this.emissions.get(end);
      for (const key of changed.get(end) as Set<string>) {
        emit(windowResult(this.name, this.partition, key, (end - this.panesPerWindow) * this.slide, end * this.slide, byKey?.get(key) ?? 0, 'update', this.agg.values(this.valueOf(end, key))));
      }
    }
    changed.clear();
  }

  /** The key's accumulator over window `end`'s panes (the pane itself for tumbling windows). */
  private valueOf(end: number, key: string): A {
    if (this.panesPerWindow === 1) return this.panes.get(end - 1)?.get(key) ?? this.agg.create();
    const acc = this.agg.create();
    for (let p = end - this.panesPerWindow; p < end; p++) {
      const part = this.panes.get(p)?.get(key);
      if (part) this.agg.merge(acc, part);
    }
    return acc;
  }

  /** 'early' for every open window's changed keys, then clears the change marks. */
  private fireEarly(emit: Emit): void {
    const ends = [...this.dirty.keys()].sort((a, b) => a - b);
    for (const end of ends) {
      const keys = this.dirty.get(end);
      if (!keys || end * this.slide <= this.watermark) continue;
      let byKey = this.emissions.get(end);
      if (!byKey) {
        byKey = new Map();
        this.emissions.set(end, byKey);
      }
      for (const key of keys) {
        const firing = byKey.get(key) ?? 0;
        byKey.set(key, firing + 1);
        emit(windowResult(this.name, this.partition, key, (end - this.panesPerWindow) * this.slide, end * this.slide, firing, 'early', this.agg.values(this.valueOf(end, key))));
      }
    }
    this.dirty.clear();
  }

  /** Re-fires one key of window `end` for late `event` (already added to its pane). */
  private fireKey(end: number, key: string, event: E, emit: Emit): void {
    let acc: A | undefined;
    if (this.panesPerWindow === 1) {
      acc = this.panes.get(end - 1)?.get(key);
    } else {
      let byWindow = this.closedWindows.get(end);
      if (!byWindow) {
        byWindow = new Map();
        this.closedWindows.set(end, byWindow);
      }
      acc = byWindow.get(key);
      if (acc) {
        this.agg.add(acc, event);
      } else {
        acc = this.agg.create();
        for (let p = end - this.panesPerWindow; p < end; p++) {
          const part = this.panes.get(p)?.get(key);
          if (part) this.agg.merge(acc, part);
        }
        byWindow.set(key, acc);
      }
    }
    if (!acc) return;
    let byKey = this.emissions.get(end);
    if (!byKey) {
      byKey = new Map();
      this.emissions.set(end, byKey);
    }
    const firing = byKey.get(key) ?? 0;
    byKey.set(key, firing + 1);
    this.lateFirings++;
    emit(windowResult(this.name, this.partition, key, (end - this.panesPerWindow) * this.slide, end * this.slide, firing, 'late', this.agg.values(acc)));
  }

  /** Drops panes and emission counts no window can use any more. */
  private evict(wm: number): void {
    const order = this.paneOrder;
    let drop = 0;
    while (drop < order.length && ((order[drop] as number) + this.panesPerWindow) * this.slide + this.lateness <= wm) {
      this.panes.delete(order[drop] as number);
      drop++;
    }
    if (drop > 0) {
      order.splice(0, drop);
      this.cachedPaneIndex = NaN;
      this.cachedPane = undefined;
    }
    for (const end of this.emissions.keys()) {
      if (end * this.slide + this.lateness <= wm) this.emissions.delete(end);
    }
    for (const end of this.closedWindows.keys()) {
      if (end * this.slide + this.lateness <= wm) this.closedWindows.delete(end);
    }
  }
}
