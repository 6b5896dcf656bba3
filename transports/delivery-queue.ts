// The bounded, never-dropping queue behind every result sink: items wait here until the
// transport acknowledges them; failed sends go back to the front and are retried with backoff.
// Flush barriers use sequence numbers: a barrier resolves when no item at or before it is unacked
// (acks may arrive out of order, so counting acks would not be enough).
import { retryDelayMs, type SinkStatus } from './result-sink.ts';

export interface DeliveryQueueOptions<T> {
  /** Sends a batch; resolves when the transport acknowledged all of it, rejects otherwise. */
  send(batch: T[]): Promise<void>;
  maxBatch: number;
  /** How many batches may be in flight at once. */
  maxInFlight: number;
  /** At or above this many buffered items (by weight), `push` returns false (the caller should pause its sources). */
  highWater: number;
  /** What one item counts for in `buffered`, `delivered` and `highWater` (default 1): e.g. the results a message holds. */
  weigh?(item: T): number;
  /**
   * Collect for at most this long before sending a partial batch. 0: until the end of the current
   * event-loop turn, so everything offered in one turn leaves as one batch (one request, one socket write).
   */
  lingerMs: number;
  /**
   * With lingerMs 0: arranges the end-of-turn send instead of the queue's own setImmediate, for an
   * owner that ends its turn with other writes on the same connection and calls `sendPending` there,
   * so they leave together. Called whenever items wait; the owner schedules once per turn.
   */
  scheduleSend?(): void;
  onError?(err: Error): void;
  onRecovered?(): void;
}

interface Entry<T> {
  seq: number;
  value: T;
}

interface Barrier {
  seq: number;
  resolve(): void;
  reject(err: Error): void;
}

export class DeliveryQueue<T> {
  private queue: Entry<T>[] = [];
  private head = 0;
  /** First sequence number of each batch in flight. */
  private inFlight = new Set<number>();
  private nextSeq = 0;
  private pushedWeight = 0;
  private ackedWeight = 0;
  private barriers: Barrier[] = [];
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerImmediate: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAttempt = 0;
  private closed = false;
  retries = 0;
  lastError: Error | undefined;

  constructor(private readonly opts: DeliveryQueueOptions<T>) {}

  get buffered(): number {
    return this.pushedWeight - this.ackedWeight;
  }

  get delivered(): number {
    return this.ackedWeight;
  }

  push(value: T): boolean {
    this.queue.push({ seq: this.nextSeq++, value });
    this.pushedWeight += this.opts.weigh?.(value) ?? 1;
    if (this.pending() >= this.opts.maxBatch) this.pump();
    else this.linger();
    return this.buffered < this.opts.highWater;
  }

  /**
   * The sink's status as the heartbeat reports it. `problem` (e.g. "not connected") makes it
   * unhealthy even before a send has failed; `label` prefixes the reason ("nats: …").
   */
  status(name: string, label: string, problem?: string): SinkStatus {
    const reason = problem ?? this.lastError?.message;
    return {
      name,
      healthy: reason === undefined,
      buffered: this.buffered,
      delivered: this.delivered,
      retries: this.retries,
      ...(reason !== undefined ? { reason: `${label}: ${reason}` } : {}),
    };
  }

  /** Sends what is waiting now, within the in-flight bound (see `scheduleSend`). */
  sendPending(): void {
    if (this.pending() > 0) this.pump();
  }

  /**
   * Resolves when everything pushed before this call is acknowledged; rejects if the queue is (or
   * gets) closed first, so no one waits at shutdown for a delivery that will not come.
   */
  flush(): Promise<void> {
    if (this.lowestUnacked() >= this.nextSeq) return Promise.resolve();
    if (this.closed) return Promise.reject(this.closedError());
    const seq = this.nextSeq - 1;
    return new Promise((resolve, reject) => {
      this.barriers.push({ seq, resolve, reject });
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    this.stopLingering();
    clearTimeout(this.retryTimer);
    const waiting = this.barriers;
    this.barriers = [];
    for (const b of waiting) b.reject(this.closedError());
  }

  private closedError(): Error {
    return new Error(`closed before delivery (${this.buffered} buffered)`);
  }

  private pending(): number {
    return this.queue.length - this.head;
  }

  private lowestUnacked(): number {
    let low = this.head < this.queue.length ? this.queue[this.head]!.seq : this.nextSeq;
    for (const s of this.inFlight) if (s < low) low = s;
    return low;
  }

  private linger(): void {
    if (this.lingerTimer || this.lingerImmediate || this.retryTimer) return;
    if (this.opts.lingerMs > 0) this.lingerTimer = setTimeout(() => this.pump(), this.opts.lingerMs);
    else if (this.opts.scheduleSend) this.opts.scheduleSend();
    else this.lingerImmediate = setImmediate(() => this.pump());
  }

  private stopLingering(): void {
    clearTimeout(this.lingerTimer);
    clearImmediate(this.lingerImmediate);
    this.lingerTimer = undefined;
    this.lingerImmediate = undefined;
  }

  private pump(): void {
    this.stopLingering();
    if (this.retryTimer || this.closed) return;
    while (this.inFlight.size < this.opts.maxInFlight && this.pending() > 0) {
      const end = Math.min(this.queue.length, this.head + this.opts.maxBatch);
      const batch = this.queue.slice(this.head, end);
      this.head = end;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      const first = batch[0]!.seq;
      this.inFlight.add(first);
      this.opts.send(batch.map((e) => e.value)).then(
        () => this.onAck(first, batch),
        (err: unknown) => this.onFail(first, batch, err instanceof Error ? err : new Error(String(err))),
      );
    }
  }

  private onAck(first: number, batch: Entry<T>[]): void {
    this.inFlight.delete(first);
    const weigh = this.opts.weigh;
    this.ackedWeight += weigh ? batch.reduce((sum, e) => sum + weigh(e.value), 0) : batch.length;
    if (this.lastError) {
      this.retryAttempt = 0;
      this.lastError = undefined;
      this.opts.onRecovered?.();
    }
    const low = this.lowestUnacked();
    while (this.barriers.length > 0 && this.barriers[0]!.seq < low) this.barriers.shift()!.resolve();
    if (this.pending() > 0 && (this.pending() >= this.opts.maxBatch || this.barriers.length > 0)) this.pump();
    else if (this.pending() > 0) this.linger();
  }

  private onFail(first: number, batch: Entry<T>[], err: Error): void {
    this.inFlight.delete(first);
    this.retries++;
    this.lastError = err;
    this.opts.onError?.(err);
    // Back to the front: nothing is dropped; downstream de-duplication absorbs any copy that
    // did arrive before the failure was reported.
    this.queue.splice(this.head, 0, ...batch);
    if (this.closed || this.retryTimer) return;
    this.stopLingering();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, retryDelayMs(++this.retryAttempt));
  }
}
