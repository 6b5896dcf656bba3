// Bounded FIFO mailbox on a growable ring buffer: O(1) push/shift without Array#shift, and no
// allocation per message once grown. The ring starts empty and doubles on demand, so idle actors
// with a large configured capacity cost almost nothing.

export type MailboxPolicy = 'backpressure' | 'drop-newest' | 'drop-oldest';
export type WaterMark = 'high' | 'low';
export type WaterMarkListener = (mark: WaterMark, depth: number) => void;

export interface MailboxOptions {
  /** Maximum queued messages (default 65,536). */
  readonly capacity?: number;
  /**
   * What happens when full. `backpressure` (default): `tell` refuses (dead letter) and `send`
   * awaits capacity. `drop-newest` drops the incoming message, `drop-oldest` evicts the head.
   */
  readonly policy?: MailboxPolicy;
  /** Depth at which a `high` event fires (default 80% of capacity). */
  readonly highWaterMark?: number;
  /** Depth at which a `low` event fires after a `high` one (default 50% of capacity). */
  readonly lowWaterMark?: number;
}

export interface MailboxConfig {
  readonly capacity: number;
  readonly policy: MailboxPolicy;
  readonly highWaterMark: number;
  readonly lowWaterMark: number;
}

/** Read-only view of an actor's mailbox, e.g. for a transport that pauses its source. */
export interface MailboxView {
  readonly depth: number;
  readonly capacity: number;
  readonly policy: MailboxPolicy;
  /** Messages dropped by the drop-newest/drop-oldest policies. */
  readonly dropped: number;
  readonly aboveHighWaterMark: boolean;
  /** Called when depth reaches the high mark, and when it falls back to the low mark. */
  onWaterMark(listener: WaterMarkListener): () => void;
  /** Resolves once there is room for at least one message (or the actor stopped). */
  whenWritable(): Promise<void>;
}

export const DEFAULT_MAILBOX_CAPACITY = 65_536;

const configCache = new WeakMap<MailboxOptions, MailboxConfig>();

export function resolveMailboxConfig(options: MailboxOptions | undefined): MailboxConfig {
  if (options === undefined) return DEFAULT_MAILBOX_CONFIG;
  let config = configCache.get(options);
  if (config === undefined) {
    const capacity = options.capacity ?? DEFAULT_MAILBOX_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`mailbox capacity must be a positive integer, got ${capacity}`);
    const highWaterMark = options.highWaterMark ?? Math.max(1, Math.ceil(capacity * 0.8));
    const lowWaterMark = options.lowWaterMark ?? Math.floor(capacity * 0.5);
    if (lowWaterMark >= highWaterMark) throw new RangeError('mailbox lowWaterMark must be below highWaterMark');
    config = Object.freeze({ capacity, policy: options.policy ?? 'backpressure', highWaterMark, lowWaterMark });
    configCache.set(options, config);
  }
  return config;
}

const DEFAULT_MAILBOX_CONFIG: MailboxConfig = resolveMailboxConfig({});

export const PUSH_OK = 0;
/** The incoming message was not enqueued (full: backpressure or drop-newest). */
export const PUSH_REJECTED = 1;
/** Enqueued after evicting the oldest message, which is left in `evicted`. */
export const PUSH_EVICTED = 2;
export type PushResult = typeof PUSH_OK | typeof PUSH_REJECTED | typeof PUSH_EVICTED;

const EMPTY: never[] = [];
const RESOLVED: Promise<void> = Promise.resolve();

export class Mailbox<T> implements MailboxView {
  private buf: (T | undefined)[] = EMPTY;
  private head = 0;
  private count = 0;
  dropped = 0;
  /** The message evicted by the last PUSH_EVICTED push (for dead-lettering). */
  evicted: T | undefined = undefined;
  private above = false;
  private listeners: WaterMarkListener[] | undefined = undefined;
  private waiters: (() => void)[] | undefined = undefined;

  constructor(readonly config: MailboxConfig) {}

  get depth(): number {
    return this.count;
  }
  get size(): number {
    return this.count;
  }
  get capacity(): number {
    return this.config.capacity;
  }
  get policy(): MailboxPolicy {
    return this.config.policy;
  }
  get aboveHighWaterMark(): boolean {
    return this.above;
  }
  get isFull(): boolean {
    return this.count >= this.config.capacity;
  }

  push(msg: T): PushResult {
    const config = this.config;
    let result: PushResult = PUSH_OK;
    if (this.count >= config.capacity) {
      if (config.policy !== 'drop-oldest') {
        if (config.policy === 'drop-newest') this.dropped++;
        return PUSH_REJECTED;
      }
      this.evicted = this.takeHead();
      this.dropped++;
      result = PUSH_EVICTED;
    }
    let buf = this.buf;
    if (this.count === buf.length) buf = this.grow();
    buf[(this.head + this.count) & (buf.length - 1)] = msg;
    this.count++;
    if (!this.above && this.count >= config.highWaterMark) {
      this.above = true;
      this.emit('high');
    }
    return result;
  }

  /** Puts a message at the head, ignoring capacity (used by unstash: those were already accepted). */
  unshift(msg: T): void {
    let buf = this.buf;
    if (this.count === buf.length) buf = this.grow();
    this.head = (this.head - 1 + buf.length) & (buf.length - 1);
    buf[this.head] = msg;
    this.count++;
  }

  /** Removes the head. Callers must check `size > 0` first. */
  shift(): T {
    const msg = this.takeHead();
    if (this.above && this.count <= this.config.lowWaterMark) {
      this.above = false;
      this.emit('low');
    }
    if (this.waiters !== undefined && this.count < this.config.capacity) this.wakeOne();
    return msg;
  }

  onWaterMark(listener: WaterMarkListener): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      const listeners = this.listeners?.filter((l) => l !== listener);
      this.listeners = listeners !== undefined && listeners.length > 0 ? listeners : undefined;
    };
  }

  whenWritable(): Promise<void> {
    if (this.count < this.config.capacity) return RESOLVED;
    return new Promise<void>((resolve) => (this.waiters ??= []).push(resolve));
  }

  /** Wakes every `whenWritable` waiter (the actor stopped; senders will see that). */
  releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters !== undefined) for (const wake of waiters) wake();
  }

  private takeHead(): T {
    const buf = this.buf;
    const msg = buf[this.head] as T;
    buf[this.head] = undefined;
    this.head = (this.head + 1) & (buf.length - 1);
    this.count--;
    return msg;
  }

  private wakeOne(): void {
    const waiters = this.waiters;
    const wake = waiters?.shift();
    if (waiters !== undefined && waiters.length === 0) this.waiters = undefined;
    wake?.();
  }

  private grow(): (T | undefined)[] {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length === 0 ? 8 : old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buf = next;
    this.head = 0;
    return next;
  }

  private emit(mark: WaterMark): void {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    for (const listener of listeners) listener(mark, this.count);
  }
}
