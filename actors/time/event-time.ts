// Event-time rules of one partition, in one place so the engine and the docs agree:
// - watermark = max event time seen − out-of-orderness bound (monotonic);
// - an event with eventTime < watermark − allowedLateness is too late: side output, counted;
// - an event more than maxFutureSkew ahead of the wall clock is bad input (DLQ), so one broken
//   producer clock cannot drag the watermark forward and close every window early;
// - idleness: after idleTimeout of processing time without events the partition is idle, and
//   (idleAdvance 'wall-clock') its watermark advances to wall clock − bound, so a quiet partition
//   still closes its windows. This assumes event time tracks wall time (live traffic); for replays
//   of old data use idleAdvance 'none' and read `idle` instead.

import type { Clock } from './clock.ts';
import { NO_WATERMARK, systemClock } from './clock.ts';

export interface EventTimeOptions {
  /** Bounded out-of-orderness; default 2000 ms. */
  outOfOrdernessMs?: number;
  /** How long after a window closes late events still correct it; default 5000 ms. */
  allowedLatenessMs?: number;
  /** Reject events this far ahead of the wall clock; default 60000 ms. */
  maxFutureSkewMs?: number;
  /** Processing time without events before the partition counts as idle; default 30000 ms, 0 = never. */
  idleTimeoutMs?: number;
  /** What idleness does to the watermark; default 'wall-clock'. */
  idleAdvance?: 'wall-clock' | 'none';
  clock?: Clock;
}

export type ResolvedEventTimeOptions = Required<EventTimeOptions>;

export function resolveEventTimeOptions(opts: EventTimeOptions = {}): ResolvedEventTimeOptions {
  return {
    outOfOrdernessMs: opts.outOfOrdernessMs ?? 2000,
    allowedLatenessMs: opts.allowedLatenessMs ?? 5000,
    maxFutureSkewMs: opts.maxFutureSkewMs ?? 60_000,
    idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
    idleAdvance: opts.idleAdvance ?? 'wall-clock',
    clock: opts.clock ?? systemClock,
  };
}

export type Admission = 'accept' | 'late' | 'future-timestamp' | 'invalid-timestamp';

export interface WatermarkState {
  watermark: number;
  maxEventTime: number;
  idle: boolean;
}

export class WatermarkTracker {
  watermark = NO_WATERMARK;
  maxEventTime = NO_WATERMARK;
  idle = false;
  private lastActivity: number;
  /** Wall time read by the last `admit`, reused by `observe`: one clock read per event. */
  private lastNow: number;

  constructor(readonly opts: ResolvedEventTimeOptions) {
    this.lastActivity = opts.clock();
    this.lastNow = this.lastActivity;
  }

  /** Decides an event's fate against the current watermark (before the event moves it). */
  admit(eventTime: number): Admission {
    if (!Number.isSafeInteger(eventTime) || eventTime < 0) return 'invalid-timestamp';
    const now = (this.lastNow = this.opts.clock());
    if (eventTime > now + this.opts.maxFutureSkewMs) return 'future-timestamp';
    if (eventTime < this.watermark - this.opts.allowedLatenessMs) return 'late';
    return 'accept';
  }

  /** Records an event `admit` accepted or found late; returns true when the watermark advanced. */
  observe(eventTime: number): boolean {
    this.lastActivity = this.lastNow;
    this.idle = false;
    if (eventTime <= this.maxEventTime) return false;
    this.maxEventTime = eventTime;
    return this.advanceTo(eventTime - this.opts.outOfOrdernessMs);
  }

  /** Processing-time check; returns true when idleness advanced the watermark. */
  checkIdle(): boolean {
    if (this.opts.idleTimeoutMs <= 0) return false;
    const now = this.opts.clock();
    if (now - this.lastActivity < this.opts.idleTimeoutMs) return false;
    this.idle = true;
    return this.opts.idleAdvance === 'wall-clock' && this.advanceTo(now - this.opts.outOfOrdernessMs);
  }

  /** Moves the watermark forward (never back); returns true if it moved. */
  advanceTo(watermark: number): boolean {
    if (watermark <= this.watermark) return false;
    this.watermark = watermark;
    return true;
  }

  state(): WatermarkState {
    return { watermark: this.watermark, maxEventTime: this.maxEventTime, idle: this.idle };
  }

  restoreState(state: WatermarkState): void {
    this.watermark = state.watermark;
    this.maxEventTime = state.maxEventTime;
    this.idle = state.idle;
    this.lastActivity = this.opts.clock();
  }
}
