// The reference implementation of the built-in window analytics: deliberately simple and slow.
// It replays one partition's input, applies the event-time rules of time/event-time.ts, and then
// computes every window's emissions brute force from the full list of events — no panes, no
// heaps, no incremental state. The engine must produce exactly this set of results (compare by id
// and values; emission order is not part of the contract).
//
// Rules, as the engine applies them:
// - admission against the watermark before the event: invalid/future timestamps are rejected,
//   eventTime < watermark − allowedLateness is late (side output); then the watermark becomes
//   max(eventTime) − outOfOrderness;
// - an accepted event contributes to a fixed window iff windowEnd + allowedLateness > watermark
//   on arrival; the window fires 'final' (firing 0) when the watermark reaches its end, with the
//   events seen so far, and every contributing event arriving after that fires it again, 'late';
// - sessions (per user, gap G) merge on overlap; same final/late rules on the session's end.

import type { RtapEvent } from '../events/types.ts';
import type { RejectReason } from '../events/errors.ts';
import type { WindowResult } from '../results.ts';
import type { OracleStep } from '../patterns/oracle.ts';
import type { WindowAnalyticsOptions } from '../analytics/index.ts';
import type { EventTimeOptions } from '../time/event-time.ts';
import { ACTIVE_USERS, ALL_KEY, CONVERSIONS, PAGE_VIEWS, PAGE_VIEWS_WINDOW_MS, SESSIONS } from '../analytics/index.ts';
import { NO_WATERMARK } from '../time/clock.ts';
import { resolveEventTimeOptions } from '../time/event-time.ts';

export type OracleInput =
  | { kind: 'event'; event: RtapEvent; offset: number; wallTime: number }
  /** A processing-time tick at wallTime (engine.tick()). */
  | { kind: 'tick'; wallTime: number }
  /** An explicit advance (engine.advanceWatermark), e.g. the end of a bounded input. */
  | { kind: 'watermark'; watermark: number };

export interface OracleOptions extends Omit<EventTimeOptions, 'clock'> {
  partition: number;
  /** Wall time when the engine was created (its idleness clock starts there). */
  createdAt: number;
  analytics?: WindowAnalyticsOptions;
}

export interface OracleOutput {
  results: WindowResult[];
  /** Offsets of late (side-output) events. */
  late: number[];
  rejected: Array<{ offset: number; reason: RejectReason }>;
  /** The operators' input (accepted events and watermark advances) for patternOracle. */
  patternSteps: OracleStep[];
  watermark: number;
  /** How many times idleness (a tick) advanced the watermark. */
  idleAdvances: number;
}

interface Accepted {
  event: RtapEvent;
  offset: number;
  /** Position in the input. */
  index: number;
  wmBefore: number;
}

interface Timeline {
  accepted: Accepted[];
  /** Watermark after each input index. */
  wmAfter: number[];
  late: number[];
  rejected: Array<{ offset: number; reason: RejectReason }>;
  steps: OracleStep[];
  idleAdvances: number;
}

export function analyticsOracle(inputs: readonly OracleInput[], opts: OracleOptions): OracleOutput {
  const time = resolveEventTimeOptions(opts);
  const tl = replayTime(inputs, opts, time.outOfOrdernessMs, time.allowedLatenessMs, time.maxFutureSkewMs, time.idleTimeoutMs, time.idleAdvance);
  const L = time.allowedLatenessMs;
  const a = opts.analytics ?? {};
  const p = opts.partition;
  const results: WindowResult[] = [
    ...fixedWindows(tl, p, L, a.pageViews?.earlyFiringIntervalMs ?? 0, PAGE_VIEWS, a.pageViews?.windowMs ?? PAGE_VIEWS_WINDOW_MS, a.pageViews?.windowMs ?? PAGE_VIEWS_WINDOW_MS, (e) => (e.type === 'PageView' ? e.page : undefined), (es) => ({ count: es.length })),
    ...fixedWindows(tl, p, L, a.activeUsers?.earlyFiringIntervalMs ?? 0, ACTIVE_USERS, a.activeUsers?.windowMs ?? 60_000, a.activeUsers?.slideMs ?? 5000, () => ALL_KEY, (es) => ({
      users: new Set(es.map((e) => e.userId)).size,
      events: es.length,
    })),
    ...fixedWindows(tl, p, L, a.conversions?.earlyFiringIntervalMs ?? 0, CONVERSIONS, a.conversions?.windowMs ?? 60_000, a.conversions?.windowMs ?? 60_000, () => ALL_KEY, conversionValues),
    ...sessionWindows(tl, p, L, a.sessions?.gapMs ?? 30_000),
  ];
  return { results, late: tl.late, rejected: tl.rejected, patternSteps: tl.steps, watermark: tl.wmAfter[tl.wmAfter.length - 1] ?? NO_WATERMARK, idleAdvances: tl.idleAdvances };
}

function conversionValues(es: RtapEvent[]): Record<string, number> {
  let conversions = 0;
  let revenue = 0;
  for (const e of es) {
    if (e.type === 'Conversion') {
      conversions++;
      revenue += e.value;
    }
  }
  const users = new Set(es.map((e) => e.userId)).size;
  return { conversions, revenue, users, rate: users > 0 ? conversions / users : 0 };
}

function replayTime(inputs: readonly OracleInput[], opts: OracleOptions, bound: number, L: number, skew: number, idleTimeout: number, idleAdvance: string): Timeline {
  let wm = NO_WATERMARK;
  let maxTime = NO_WATERMARK;
  let lastActivity = opts.createdAt;
  const tl: Timeline = { accepted: [], wmAfter: [], late: [], rejected: [], steps: [], idleAdvances: 0 };
  const advance = (to: number): void => {
    if (to > wm) {
      wm = to;
      tl.steps.push({ watermark: wm });
    }
  };
  inputs.forEach((input, index) => {
    if (input.kind === 'event') {
      const t = input.event.eventTime;
      if (!Number.isSafeInteger(t) || t < 0) tl.rejected.push({ offset: input.offset, reason: 'invalid-timestamp' });
      else if (t > input.wallTime + skew) tl.rejected.push({ offset: input.offset, reason: 'future-timestamp' });
      else {
        lastActivity = input.wallTime;
        if (t < wm - L) tl.late.push(input.offset);
        else {
          tl.accepted.push({ event: input.event, offset: input.offset, index, wmBefore: wm });
          tl.steps.push({ event: input.event, offset: input.offset });
          if (t > maxTime) {
            maxTime = t;
            advance(t - bound);
          }
        }
      }
    } else if (input.kind === 'tick') {
      if (idleTimeout > 0 && input.wallTime - lastActivity >= idleTimeout && idleAdvance === 'wall-clock' && input.wallTime - bound > wm) {
        tl.idleAdvances++;
        advance(input.wallTime - bound);
      }
    } else {
      advance(input.watermark);
    }
    tl.wmAfter.push(wm);
  });
  return tl;
}

/** First position in ascending `xs` holding a value ≥ x. */
function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first input after which the watermark is ≥ t (Infinity if never). */
function closingIndex(wmAfter: number[], t: number): number {
  let lo = 0;
  let hi = wmAfter.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((wmAfter[mid] as number) >= t) hi = mid;
    else lo = mid + 1;
  }
  return lo < wmAfter.length ? lo : Infinity;
}

function fixedWindows(
  tl: Timeline,
  partition: number,
  L: number,
  earlyMs: number,
  name: string,
  size: number,
  slide: number,
  keyOf: (e: RtapEvent) => string | undefined,
  valuesOf: (events: RtapEvent[]) => Record<string, number>,
): WindowResult[] {
  // (windowEnd, key) → contributing events in arrival order.
  const buckets = new Map<string, { end: number; key: string; items: Accepted[] }>();
  for (const item of tl.accepted) {
    const key = keyOf(item.event);
    if (key === undefined) continue;
    const t = item.event.eventTime;
    for (let end = (Math.floor(t / slide) + 1) * slide; end - size <= t; end += slide) {
      if (end + L <= item.wmBefore) continue;
      const id = `${end}\u0000${key}`;
      let bucket = buckets.get(id);
      if (!bucket) buckets.set(id, (bucket = { end, key, items: [] }));
      bucket.items.push(item);
    }
  }
  // Inputs after which the watermark crossed a multiple of the early-firing interval.
  const crossings: number[] = [];
  if (earlyMs > 0) {
    let prev = NO_WATERMARK;
    tl.wmAfter.forEach((w, i) => {
      if (w > prev && Math.floor(w / earlyMs) > Math.floor(prev / earlyMs)) crossings.push(i);
      prev = w;
    });
  }
  const out: WindowResult[] = [];
  for (const { end, key, items } of buckets.values()) {
    const start = end - size;
    let emissions = 0;
    // 'early': at each crossing while the window is still open, if events arrived since the last emission.
    let c = lowerBound(crossings, (items[0] as Accepted).index);
    let seen = 0; // items with index ≤ the current crossing
    let emittedSeen = 0;
    for (; c < crossings.length; c++) {
      const i = crossings[c] as number;
      if ((tl.wmAfter[i] as number) >= end) break;
      while (seen < items.length && (items[seen] as Accepted).index <= i) seen++;
      if (seen > emittedSeen) {
        out.push(result(name, partition, key, start, end, emissions++, 'early', valuesOf(items.slice(0, seen).map((it) => it.event))));
        emittedSeen = seen;
      }
    }
    const onTime = items.filter((i) => i.wmBefore < end);
    if (onTime.length > 0 && closingIndex(tl.wmAfter, end) !== Infinity) {
      out.push(result(name, partition, key, start, end, emissions++, 'final', valuesOf(onTime.map((i) => i.event))));
    }
    items.forEach((item, n) => {
      if (item.wmBefore >= end) out.push(result(name, partition, key, start, end, emissions++, 'late', valuesOf(items.slice(0, n + 1).map((i) => i.event))));
    });
  }
  return out;
}

interface NaiveSession {
  start: number;
  last: number;
  events: RtapEvent[];
  emissions: number;
  fired: boolean;
}

function sessionWindows(tl: Timeline, partition: number, L: number, gap: number): WindowResult[] {
  const out: WindowResult[] = [];
  const byUser = new Map<string, NaiveSession[]>();
  const emit = (user: string, s: NaiveSession, trigger: 'final' | 'late'): void => {
    const pageViews = s.events.filter((e) => e.type === 'PageView').length;
    out.push(result(SESSIONS, partition, user, s.start, s.last + gap, s.emissions++, trigger, { events: s.events.length, pageViews, durationMs: s.last - s.start }));
  };
  let next = 0;
  let wm = NO_WATERMARK;
  // A lower bound of every session's next deadline (firing, then expiry): the sweep below is
  // skipped while the watermark is under it. Only an optimisation (no sweep can do anything then);
  // without it the oracle is quadratic when the watermark moves with almost every event.
  let nextDeadline = Infinity;
  for (let index = 0; index < tl.wmAfter.length; index++) {
    const item = tl.accepted[next];
    if (item && item.index === index) {
      next++;
      const e = item.event;
      const t = e.eventTime;
      const sessions = byUser.get(e.userId) ?? [];
      const overlapping = sessions.filter((s) => s.start < t + gap && t < s.last + gap);
      const rest = sessions.filter((s) => !overlapping.includes(s));
      const merged: NaiveSession = {
        start: Math.min(t, ...overlapping.map((s) => s.start)),
        last: Math.max(t, ...overlapping.map((s) => s.last)),
        // One overlapping session (the usual case) is extended in place: copying its events for
        // every event made the oracle quadratic in the session length.
        events: overlapping.length === 1 ? (overlapping[0] as NaiveSession).events : overlapping.flatMap((s) => s.events),
        emissions: Math.max(0, ...overlapping.map((s) => s.emissions)),
        fired: overlapping.length > 0 && overlapping.every((s) => s.fired),
      };
      merged.events.push(e);
      if (merged.last + gap <= wm) {
        merged.fired = true;
        emit(e.userId, merged, 'late');
      } else {
        merged.fired = false;
      }
      byUser.set(e.userId, [...rest, merged]);
      nextDeadline = Math.min(nextDeadline, merged.fired ? merged.last + gap + L : merged.last + gap);
    }
    const after = tl.wmAfter[index] as number;
    if (after > wm) {
      wm = after;
      if (wm < nextDeadline) continue;
      nextDeadline = Infinity;
      for (const [user, sessions] of byUser) {
        for (const s of sessions) {
          if (!s.fired && s.last + gap <= wm) {
            s.fired = true;
            emit(user, s, 'final');
          }
        }
        const alive = sessions.filter((s) => !(s.fired && s.last + gap + L <= wm));
        if (alive.length > 0) byUser.set(user, alive);
        else byUser.delete(user);
        for (const s of alive) nextDeadline = Math.min(nextDeadline, s.fired ? s.last + gap + L : s.last + gap);
      }
    }
  }
  return out;
}

function result(analytic: string, partition: number, key: string, windowStart: number, windowEnd: number, firing: number, trigger: WindowResult['trigger'], values: Record<string, number>): WindowResult {
  return { kind: 'window', id: `${analytic}|p${partition}|${key}|${windowStart}-${windowEnd}|f${firing}`, analytic, partition, key, windowStart, windowEnd, firing, trigger, values };
}
