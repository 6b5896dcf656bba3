// Sends generated events at their due times (open loop): the scheduler queues every event that is
// due at once, however long earlier sends take, so a slow broker shows up as latency (measured from
// the due time), not as a lower offered rate. One idempotent producer sends the queue with up to
// MAX_IN_FLIGHT requests in flight, which the broker stores in the order sent (per-partition order
// = generator order, which the oracle's offsets rely on). It retries a failed request itself (same
// records, same sequence numbers: written once) and each retry counts as an error; a send it gives
// up on stops the run. The events come prepared (generated and encoded ahead: PreparedLoad); the
// queue holds their indices. Each request's events and the time it left go to `onSent` (the probe's
// send times).
import { MAX_IN_FLIGHT } from '../transports/kafka/batch-producer.ts';
import { EventProducer } from './event-producer.ts';
import type { PreparedLoad } from './prepared-load.ts';
import { now } from './latency-probe.ts';

/**
 * Like Kafka's own producer (linger.ms, 5 ms by default since Kafka 4.0): the producer waits this
 * long after its oldest queued event was due before sending, so the broker and the consumers see a
 * few hundred requests a second instead of one per event. The wait is part of the measured latency.
 */
export const LINGER_MS = 5;
// A request's records: far below the broker's 1 MiB batch limit, and the queue keeps moving.
const MAX_REQUEST = 1_000;

/** Kafka headers for a record of `partition` (a trace context), or none. */
export type HeadersFor = (partition: number) => Record<string, string> | undefined;

/** The events of one request (indices into the load), in send order, and when it left. */
export type OnSent = (batch: readonly number[], at: number) => void;

export class OpenLoopProducer {
  sent = 0;
  badRecords = 0;
  errors = 0;
  lastError: string | undefined;
  /** Attempts retried while connecting, before any event was sent. */
  connectRetries = 0;
  lastConnectError: string | undefined;
  /** Next offset per partition that Kafka acknowledged: how many records each partition holds. */
  readonly nextOffset: number[];
  private readonly producer: EventProducer;
  private connected = false;
  /** Indices of the prepared items due and not yet sent, from `head` on. */
  private readonly queue: number[] = [];
  private head = 0;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  /** Set when the schedule is done: send what is queued, then stop. */
  private draining = false;
  private sending: Promise<void> = Promise.resolve();
  /** The next prepared item to schedule. */
  private next = 0;
  private fatal: Error | undefined;

  constructor(
    brokers: readonly string[],
    topic: string,
    partitions: number,
    private readonly load: PreparedLoad,
    private readonly onSent: OnSent,
    private readonly headers?: HeadersFor,
  ) {
    this.producer = new EventProducer(brokers, topic, 'rtap-loadtest', (err) => this.retried(err));
    this.nextOffset = new Array<number>(partitions).fill(0);
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
    this.sending = this.sendLoop();
  }

  /** Events due and not yet sent: the producer's own backlog (it shows as latency). */
  get backlog(): number {
    return this.queue.length - this.head;
  }

  /**
   * Schedules until `untilMs` (the `now()` clock) or until `stop()` returns true, then sends what is
   * due. What the load has not prepared ahead is prepared as it falls due (a schedule still growing).
   */
  async run(untilMs: number, stop: () => boolean): Promise<void> {
    const load = this.load;
    while (!stop() && !this.fatal) {
      const t = Math.min(now(), untilMs);
      load.prepareUntil(Math.min(t + 1, untilMs));
      const before = this.next;
      for (; this.next < load.size; this.next++) {
        const i = this.next;
        const due = load.wallTime(i);
        if (due > t || due >= untilMs) break;
        this.queue.push(i);
      }
      if (this.next > before) this.wake?.();
      if (now() >= untilMs) break;
      const due = (this.next < load.size ? load.wallTime(this.next) : load.nextDue) ?? untilMs;
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(due, untilMs) - now())));
    }
    this.draining = true;
    this.wake?.();
    await this.sending;
    if (this.fatal) throw this.fatal;
  }

  private async sendLoop(): Promise<void> {
    for (;;) {
      if (this.fatal) return;
      if (this.backlog === 0 || this.inFlight >= MAX_IN_FLIGHT) {
        if (this.draining && this.backlog === 0 && this.inFlight === 0) return;
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      const wait = this.load.wallTime(this.queue[this.head]!) + LINGER_MS - now();
      if (wait > 0 && this.backlog < MAX_REQUEST && !this.draining) {
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      const batch = this.queue.slice(this.head, this.head + MAX_REQUEST);
      this.head += batch.length;
      if (this.head > 100_000) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      // Not awaited: the next request leaves when it is due, not when this one is acknowledged.
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.wake?.();
      });
    }
  }

  private async send(batch: number[]): Promise<void> {
    const load = this.load;
    const headers = this.headers;
    try {
      const records = batch.map((i) => load.record(i, headers?.(load.partition(i))));
      // Sent: handed to the Kafka client, which encodes and writes the request in this same turn.
      this.onSent(batch, now());
      await this.producer.sendRecords(records);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.acknowledged(batch);
  }

  private acknowledged(written: readonly number[]): void {
    this.sent += written.length;
    for (const i of written) {
      if (this.load.isBad(i)) this.badRecords++;
      // After a retry, a later request may be acknowledged first: the highest offset counts.
      const p = this.load.partition(i);
      this.nextOffset[p] = Math.max(this.nextOffset[p]!, this.load.offset(i) + 1);
    }
  }

  /**
   * An attempt the producer will retry: before the load (connecting: a broker still loading its
   * coordinator state answers COORDINATOR_LOAD_IN_PROGRESS) noted apart; during it, a send error.
   */
  private retried(err: Error): void {
    if (!this.connected) {
      this.connectRetries++;
      this.lastConnectError = err.message;
      return;
    }
    this.errors++;
    this.lastError = err.message;
  }

  /** A send the producer gave up on: the run stops with this error. */
  private fail(err: Error): void {
    this.errors++;
    this.lastError = err.message;
    this.fatal ??= new Error(`loadtest: Kafka send failed: ${err.message}`);
    this.wake?.();
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
