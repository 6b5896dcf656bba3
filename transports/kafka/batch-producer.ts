// An idempotent Kafka producer for high rates: each send() becomes one produce request per leader
// broker, each partition's records one batch encoded in bulk (wire/record-batch.ts). It is what the
// load generator and `rtap produce` send with (docs/decisions/0002).
//
// Delivery: acks=all and a sequence number per partition, given to the sends' batches in the order
// of the send() calls. Up to MAX_IN_FLIGHT sends are in flight at once, their requests written in
// that order (a broker handles one connection's requests in order), so a sender need not wait for
// one acknowledgement before the next request leaves. send() retries what failed (never what was
// written) with backoff until its delivery timeout, re-reading the metadata when leadership moved or
// a connection dropped. A retry waits until every earlier send has finished, so the broker sees each
// partition's sequence numbers in order; a request whose answer was lost goes again with the same
// ones, and the broker acknowledges a batch it already holds without writing it twice. A send that
// fails for good (a non-retriable error, or the timeout) leaves its records in doubt and the
// sequence numbers unknown: the producer is then failed, every later send() rejects with that
// error, and only a new producer (a new producer id) can go on — as Kafka's own idempotent producer.
import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelayMs } from '../result-sink.ts';
import { BrokerPool } from './broker-pool.ts';
import { KafkaFatalError, brokerError, errorName, meansStaleMetadata } from './wire/errors.ts';
import type { KafkaRecord } from './wire/record-batch.ts';
import { initProducerId, produce, type PartitionAck } from './wire/requests.ts';

export type { KafkaRecord } from './wire/record-batch.ts';
export interface PartitionRecord extends KafkaRecord {
  readonly partition: number;
}

export interface BatchProducerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** The broker's time limit for a produce request (acks=all); the client waits 5 s more for the answer. */
  readonly requestTimeoutMs?: number;
  /** How long connect() and each send() keep retrying before they fail (jittered backoff from 100 ms, capped at 2 s). */
  readonly deliveryTimeoutMs?: number;
  /** Told of every failed attempt that will be retried (for counting and logging). */
  readonly onRetry?: (err: Error) => void;
}

/**
 * Sends in flight at once: Kafka's own bound for an idempotent producer
 * (`max.in.flight.requests.per.connection`). The broker remembers a producer's last five batches
 * per partition, and only those are recognised as duplicates when they come again.
 */
export const MAX_IN_FLIGHT = 5;

function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** A counting semaphore that hands its slots out in the order they were asked for. */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export class KafkaBatchProducer {
  private readonly requestTimeoutMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly pool: BrokerPool;
  /** Aborted by abort(): ends the retries' waits at once. */
  private readonly stopping = new AbortController();
  /** Next sequence number per `topic/partition`, advanced as each send takes its numbers. */
  private readonly sequences = new Map<string, number>();
  private producerId = -1n;
  private producerEpoch = 0;
  private readonly slots = new Slots(MAX_IN_FLIGHT);
  /** Settles when the latest send has finished, written or failed. */
  private last: Promise<void> = Promise.resolve();
  /** Settles when the latest first attempt has written its requests (or failed before): first attempts write in turn. */
  private writing: Promise<unknown> = Promise.resolve();
  private failed: Error | undefined;

  constructor(private readonly opts: BatchProducerOptions) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 60_000;
    this.pool = new BrokerPool({ brokers: opts.brokers, clientId: opts.clientId, requestTimeoutMs: this.requestTimeoutMs + 5_000 });
  }

  /** Learns the cluster from a bootstrap broker and obtains a producer id. */
  async connect(): Promise<void> {
    const r = await this.retrying(
      async () => {
        const conn = await this.pool.any();
        const id = await conn.call(initProducerId());
        if (id.error !== 0) throw brokerError(`kafka: InitProducerId failed: ${errorName(id.error)}`, id.error);
        return id;
      },
      (last, attempts) => new Error(`kafka: connect failed after ${attempts} attempts: ${last.message}`),
    );
    this.producerId = r.producerId;
    this.producerEpoch = r.producerEpoch;
  }

  /**
   * Writes every record (acks=all); resolves once all are acknowledged. Call it again before that
   * to keep several requests in flight: the sends' records are stored in the order of the calls.
   */
  send(topic: string, records: readonly PartitionRecord[]): Promise<void> {
    const earlier = this.last;
    const run = this.slots
      .take()
      .then(() => this.sendNow(topic, records, earlier))
      .catch((err: unknown) => {
        this.failed ??= new Error(`kafka: the producer failed earlier and cannot go on (${(err as Error).message})`);
        throw err;
      })
      .finally(() => this.slots.give());
    this.last = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async close(): Promise<void> {
    await this.last;
    this.pool.close();
  }

  /**
   * Gives up the sends still in flight — their records in doubt, each send() rejecting — and closes
   * the connections: for a stop that cannot wait out the delivery timeout of an unreachable broker.
   */
  abort(): void {
    this.failed ??= new KafkaFatalError('kafka: the producer was stopped before its sends were acknowledged');
    this.stopping.abort();
    this.pool.close();
  }

  private async sendNow(topic: string, records: readonly PartitionRecord[], earlier: Promise<void>): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.producerId < 0n) throw new Error('kafka: producer used before connect()');
    const byPartition = groupBy(records, (r) => r.partition);
    // This send's sequence numbers, the same for every attempt.
    const sequences = new Map<number, number>();
    for (const [partition, batch] of byPartition) {
      const key = `${topic}/${partition}`;
      const first = this.sequences.get(key) ?? 0;
      sequences.set(partition, first);
      this.sequences.set(key, (first + batch.length) & 0x7fffffff);
    }
    let attempts = 0;
    await this.retrying(
      async () => {
        const retry = attempts++ > 0;
        // An earlier send failed for good while this one waited: its sequence numbers can no longer be right.
        if (retry && this.failed) throw new KafkaFatalError(this.failed.message);
        // A first attempt writes in turn with the other sends' first attempts; a retry only once
        // every earlier send has finished, so that each partition's batches reach the broker in order.
        const writes = (retry ? earlier : this.writing).then(() => this.write(topic, byPartition, sequences));
        if (!retry) this.writing = writes.catch(() => undefined);
        const failure = await writes.then(
          (w) => this.settle(topic, byPartition, w.answers, retry),
          (err: Error) => {
            // Metadata could not be read, or a partition does not exist (yet): retried like a broker error.
            this.pool.forgetTopic(topic);
            return err;
          },
        );
        if (failure) throw failure;
      },
      (last) => (last instanceof KafkaFatalError ? last : new Error(`kafka: produce to ${topic} failed for ${this.deliveryTimeoutMs} ms: ${last.message}`)),
    );
  }

  /**
   * Writes one request per leader with what is left of `byPartition`; resolves as soon as they are
   * on their connections, with the answers to come (an Error for a request whose answer is lost).
   */
  private async write(topic: string, byPartition: Map<number, PartitionRecord[]>, sequences: ReadonlyMap<number, number>): Promise<{ answers: Promise<(PartitionAck[] | Error)[]> }> {
    const meta = await this.pool.topic(topic);
    for (const p of byPartition.keys()) {
      if (p < 0 || p >= meta.leaders.length) throw new Error(`kafka: topic ${topic} has ${meta.leaders.length} partitions, no partition ${p}`);
    }
    const byLeader = [...groupBy(byPartition.keys(), (p) => meta.leaders[p]!)];
    // The connections first, then every request at once: nothing asynchronous between the writes.
    const conns = await Promise.all(byLeader.map(([leader]) => (leader < 0 ? undefined : this.pool.connection(leader).catch((err: Error) => err))));
    const answers = byLeader.map(([leader, partitions], i): PartitionAck[] | Error | Promise<PartitionAck[] | Error> => {
      const conn = conns[i];
      if (conn === undefined) return partitions.map((partition) => ({ partition, error: 5, baseOffset: -1n }));
      if (conn instanceof Error) return this.lost(topic, leader, conn);
      const batches = partitions.map((p) => ({ partition: p, records: byPartition.get(p)!, baseSequence: sequences.get(p)! }));
      return conn.call(produce(topic, batches, { producerId: this.producerId, producerEpoch: this.producerEpoch }, this.requestTimeoutMs)).catch((err: Error) => this.lost(topic, leader, err));
    });
    return { answers: Promise.all(answers) };
  }

  /**
   * The connection to `leader` is gone or timed out: whether the broker wrote the batches is
   * unknown, so they go again with the same sequence numbers (to a leader the metadata names anew).
   */
  private lost(topic: string, leader: number, err: Error): Error {
    this.pool.drop(leader);
    this.pool.forgetTopic(topic);
    return err;
  }

  /** Takes the written partitions out of `byPartition`; returns why the rest are still there (undefined: nothing is left). */
  private async settle(topic: string, byPartition: Map<number, PartitionRecord[]>, answers: Promise<(PartitionAck[] | Error)[]>, retry: boolean): Promise<Error | undefined> {
    let failure: Error | undefined;
    // A fatal error wins: it ends the send whatever else happened.
    const fail = (err: Error): void => {
      if (!(failure instanceof KafkaFatalError)) failure = err;
    };
    for (const answer of await answers) {
      if (answer instanceof Error) {
        fail(answer);
        continue;
      }
      for (const ack of answer) {
        if (!byPartition.has(ack.partition)) continue;
        // A duplicate is a batch the broker already holds: written earlier, its ack lost.
        if (ack.error === 0 || ack.error === 46) {
          byPartition.delete(ack.partition);
          continue;
        }
        if (meansStaleMetadata(ack.error)) this.pool.forgetTopic(topic);
        const what = `kafka: produce to ${topic} partition ${ack.partition}: ${errorName(ack.error)}`;
        // Out of order on a first attempt: an earlier batch in flight was not written, so this one
        // goes again after it. Out of order on a retry, with every earlier send done, is fatal.
        fail(ack.error === 45 && !retry ? new Error(what) : brokerError(what, ack.error));
      }
    }
    return byPartition.size > 0 ? (failure ?? new Error(`kafka: produce to ${topic}: no answer for partitions ${[...byPartition.keys()].join(',')}`)) : undefined;
  }

  /**
   * Runs `f` until it succeeds, retrying with the transports' backoff (capped at 2 s) until the
   * delivery timeout; a KafkaFatalError or the timeout ends it with `giveUp`'s error.
   */
  private async retrying<T>(f: () => Promise<T>, giveUp: (last: Error, attempts: number) => Error): Promise<T> {
    const deadline = Date.now() + this.deliveryTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await f();
      } catch (err) {
        const e = err as Error;
        const stopped = (): KafkaFatalError => new KafkaFatalError(`kafka: the producer was stopped while retrying (${e.message})`);
        if (this.stopping.signal.aborted) throw stopped();
        if (e instanceof KafkaFatalError || Date.now() >= deadline) throw giveUp(e, attempt);
        this.opts.onRetry?.(e);
        await sleep(retryDelayMs(attempt, 100, 2_000), undefined, { signal: this.stopping.signal }).catch(() => undefined);
        if (this.stopping.signal.aborted) throw stopped();
      }
    }
  }
}
