// Runs ready actors. Each actor processes at most `throughput` messages per turn and goes to the
// back of the run queue, so a hot actor cannot starve its siblings. Draining starts in a microtask
// (low latency), but after `budget` messages or `sliceMs` of work it continues in setImmediate,
// because an endless microtask chain would starve timers and I/O.
import type { Logger } from './logger.ts';

export interface Runnable {
  scheduled: boolean;
  /** Processes up to one batch; returns the number of messages handled. */
  run(): number;
}

export class Dispatcher {
  private queue: (Runnable | undefined)[] = new Array<Runnable | undefined>(64);
  private head = 0;
  private count = 0;
  private draining = false;
  private sinceYield = 0;
  private sliceStart = 0;
  private readonly drainTask = (): void => this.drain();
  private readonly macroTask = (): void => {
    this.sinceYield = 0;
    this.drain();
  };

  constructor(
    private readonly log: Logger,
    private readonly budget: number,
    private readonly sliceMs: number,
  ) {}

  schedule(r: Runnable): void {
    r.scheduled = true;
    if (this.count === this.queue.length) this.grow();
    this.queue[(this.head + this.count) & (this.queue.length - 1)] = r;
    this.count++;
    if (!this.draining) {
      this.draining = true;
      if (this.sinceYield < this.budget) queueMicrotask(this.drainTask);
      else setImmediate(this.macroTask);
    }
  }

  private drain(): void {
    if (this.sinceYield === 0) this.sliceStart = performance.now();
    while (this.count > 0) {
      if (this.sinceYield >= this.budget || performance.now() - this.sliceStart >= this.sliceMs) {
        this.sinceYield = this.budget;
        setImmediate(this.macroTask);
        return;
      }
      const q = this.queue; // re-read: run() may have grown it
      const r = q[this.head] as Runnable;
      q[this.head] = undefined;
      this.head = (this.head + 1) & (q.length - 1);
      this.count--;
      r.scheduled = false;
      try {
        this.sinceYield += r.run() + 1;
      } catch (error) {
        // run() handles actor failures itself; reaching here is a runtime bug, keep going.
        this.log.error('dispatcher: actor run threw', { error });
      }
    }
    this.draining = false;
  }

  private grow(): void {
    const old = this.queue;
    const next = new Array<Runnable | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.queue = next;
    this.head = 0;
  }
}
