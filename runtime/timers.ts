// Per-actor keyed timers that deliver messages to the actor itself. Created lazily on first use;
// the runtime cancels them all on stop and restart so a dead incarnation never gets ticks.
import type { Clock, TimerHandle } from './clock.ts';

export interface Timers<Msg> {
  /** Sends `msg` to self once after `delayMs`; replaces an existing timer with the same key. */
  startSingle(key: string, msg: Msg, delayMs: number): void;
  /**
   * Sends `msg` to self every `intervalMs` (fixed delay), the first time after `initialDelayMs`
   * (default: one interval); replaces an existing timer with the key.
   */
  startPeriodic(key: string, msg: Msg, intervalMs: number, initialDelayMs?: number): void;
  cancel(key: string): void;
  cancelAll(): void;
  isActive(key: string): boolean;
  readonly size: number;
}

interface Entry {
  handle: TimerHandle;
}

export class TimerScheduler<Msg> implements Timers<Msg> {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly self: { tell(msg: Msg): boolean },
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  startSingle(key: string, msg: Msg, delayMs: number): void {
    this.cancel(key);
    const entry: Entry = { handle: undefined };
    entry.handle = this.clock.setTimeout(() => {
      if (this.entries.get(key) !== entry) return;
      this.entries.delete(key);
      this.self.tell(msg);
    }, delayMs);
    this.entries.set(key, entry);
  }

  startPeriodic(key: string, msg: Msg, intervalMs: number, initialDelayMs = intervalMs): void {
    if (!(intervalMs > 0)) throw new RangeError(`timer interval must be > 0, got ${intervalMs}`);
    if (!(initialDelayMs >= 0)) throw new RangeError(`timer initial delay must be >= 0, got ${initialDelayMs}`);
    this.cancel(key);
    const entry: Entry = { handle: undefined };
    const tick = (): void => {
      if (this.entries.get(key) !== entry) return;
      entry.handle = this.clock.setTimeout(tick, intervalMs);
      this.self.tell(msg);
    };
    entry.handle = this.clock.setTimeout(tick, initialDelayMs);
    this.entries.set(key, entry);
  }

  cancel(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.clock.clearTimeout(entry.handle);
  }

  cancelAll(): void {
    for (const entry of this.entries.values()) this.clock.clearTimeout(entry.handle);
    this.entries.clear();
  }

  isActive(key: string): boolean {
    return this.entries.has(key);
  }
}
