// Sends generated events at their due times (open loop): the scheduler hands every event that is
// due to its partition's lane at once, however long earlier sends take, so a slow broker shows up
// as latency (measured from the due time), not as a lower offered rate. Each lane is one
// idempotent producer with up to MAX_IN_FLIGHT requests in flight, which it stores in the order
// sent (per-partition order = generator order, which the oracle's offsets rely on). The
// producer retries a failed request itself (same records, same sequence numbers: written once) and
// each retry counts as an error; a send it gives up on stops the run. The events come prepared
// (generated and encoded ahead: PreparedLoad); a lane's queue holds their indices.
import { MAX_IN_FLIGHT } from '../transports/kafka/batch-producer.ts';
import { EventProducer } from './event-producer.ts';
import type { PreparedLoad } from './prepared-load.ts';
import type { SendTimes } from './send-times.ts';
import { now } from './latency-probe.ts';

/**
 * One lane per 12,500 events/s, at most 4: more lanes mean more, smaller requests, and every
 * request wakes the broker (at 10,000/s one lane instead of four took the generator from 43 % to
 * 34 % of a core); above ~12,500/s a single lane's requests grow toward MAX_REQUEST.
 */
export const lanesFor = (peakRatePerS: number): number => Math.min(4, Math.max(1, Math.ceil(peakRatePerS / 12_500)));
/**
 * Like Kafka's own producer (linger.ms, 5 ms by default since Kafka 4.0): a lane waits this long
 * after its oldest queued event was due before sending, so the broker and the consumers see a few
 * hundred requests a second instead of one per event. The wait is part of the measured latency.
 */
export const LINGER_MS = 5;
// A request's records: far below the broker's 1 MiB batch limit, and a lane's queue keeps moving.
const MAX_REQUEST = 1_000;

/** Kafka headers for a record of `partition` (a trace context), or none. */
export type HeadersFor = (partition: number) => Record<string, string> | undefined;

class Lane {
  readonly queue: number[] = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private closed = false;
  private inFlight = 0;
  private failed = false;
  readonly done: Promise<void>;

  constructor(
    private readonly producer: EventProducer,
    private readonly owner: OpenLoopProducer,
    private readonly load: PreparedLoad,
    private readonly headers?: HeadersFor,
  ) {
    this.done = this.loop().catch(() => {
      // owner.fail recorded the error: run() rethrows it
      this.closed = true;
    });
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  push(item: number): void {
    this.queue.push(item);
    this.wake?.();
  }

  /** Sends what is queued, then stops. */
  close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    return this.done;
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.failed) return;
      if (this.pending === 0 || this.inFlight >= MAX_IN_FLIGHT) {
        if (this.closed && this.pending === 0 && this.inFlight === 0) return;
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      const oldest = this.load.wallTime(this.queue[this.head]!);
      const wait = oldest + LINGER_MS - now();
      if (wait > 0 && this.pending < MAX_REQUEST && !this.closed) {
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
      void this.send(batch).then(
        () => this.settled(),
        () => this.settled(true),
      );
    }
  }

  private settled(failed = false): void {
    this.inFlight--;
    if (failed) this.failed = true;
    this.wake?.();
  }

  private async send(batch: number[]): Promise<void> {
    const load = this.load;
    const headers = this.headers;
    try {
      await this.producer.sendRecords(batch.map((i) => load.record(i, headers?.(load.partition(i)))));
    } catch (err) {
      this.owner.fail(err as Error);
      throw err;
    }
    this.owner.acknowledged(batch);
  }
}

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
  private readonly producers: EventProducer[] = [];
  private readonly lanes: Lane[] = [];
  /** The next prepared item to schedule. */
  private next = 0;
  private fatal: Error | undefined;

  constructor(
    brokers: readonly string[],
    topic: string,
    partitions: number,
    lanes: number,
    private readonly load: PreparedLoad,
    private readonly times: SendTimes,
    private readonly headers?: HeadersFor,
  ) {
    for (let i = 0; i < lanes; i++) this.producers.push(new EventProducer(brokers, topic, 'rtap-loadtest', (err) => this.retried(err)));
    this.nextOffset = new Array<number>(partitions).fill(0);
  }

  async connect(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.connect()));
    for (const p of this.producers) this.lanes.push(new Lane(p, this, this.load, this.headers));
  }

  /** Events waiting for a lane: the producer's own backlog (it shows as latency). */
  get backlog(): number {
    return this.lanes.reduce((n, l) => n + l.pending, 0);
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
      for (; this.next < load.size; this.next++) {
        const i = this.next;
        const due = load.wallTime(i);
        if (due > t || due >= untilMs) break;
        const partition = load.partition(i);
        this.times.register(partition, load.offset(i), due, load.pageView(i));
        this.lanes[partition % this.lanes.length]!.push(i);
      }
      if (now() >= untilMs) break;
      const due = (this.next < load.size ? load.wallTime(this.next) : load.nextDue) ?? untilMs;
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(due, untilMs) - now())));
    }
    await Promise.all(this.lanes.map((l) => l.close()));
    if (this.fatal) throw this.fatal;
  }

  acknowledged(written: readonly number[]): void {
    this.sent += written.length;
    for (const i of written) {
      if (this.load.isBad(i)) this.badRecords++;
      // Acknowledgements after a retry may come out of order: the highest offset counts.
      const p = this.load.partition(i);
      this.nextOffset[p] = Math.max(this.nextOffset[p]!, this.load.offset(i) + 1);
    }
  }

  /**
   * An attempt the producer will retry: before the load (connecting: a broker still loading its
   * coordinator state answers COORDINATOR_LOAD_IN_PROGRESS) noted apart; during it, a send error.
   */
  retried(err: Error): void {
    if (this.lanes.length === 0) {
      this.connectRetries++;
      this.lastConnectError = err.message;
      return;
    }
    this.errors++;
    this.lastError = err.message;
  }

  /** A send the producer gave up on: the run stops with this error. */
  fail(err: Error): void {
    this.errors++;
    this.lastError = err.message;
    this.fatal ??= new Error(`loadtest: Kafka send failed: ${err.message}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.close()));
  }
}
