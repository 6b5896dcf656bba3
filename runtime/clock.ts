// Time source for everything the runtime schedules (timers, backoff, ask timeouts, persistence
// intervals). Injecting it is what makes backoff and timers testable without real waiting.

export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since some epoch; only differences matter to the runtime. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface ManualTimer {
  at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A clock that only moves when told to: `advance(ms)` fires due timers in time order. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const seq = ++this.seq;
    this.timers.set(seq, { at: this.t + Math.max(0, ms), seq, fn });
    return seq;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * Steps the reading by `ms` (negative: backwards), as NTP steps a wall clock. Timers are relative,
   * as Node's are: each still fires after the delay it was given.
   */
  step(ms: number): void {
    this.t += ms;
    for (const timer of this.timers.values()) timer.at += ms;
  }

  /** Moves time forward, firing every timer that falls due (including ones scheduled meanwhile). */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= target && (next === undefined || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) {
          next = timer;
        }
      }
      if (next === undefined) break;
      this.timers.delete(next.seq);
      this.t = next.at;
      next.fn();
    }
    this.t = target;
  }
}
