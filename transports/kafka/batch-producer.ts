// An idempotent Kafka producer for high rates: each send() becomes one produce request per leader
// broker, each partition's records one batch encoded in bulk (wire/record-batch.ts). It is what the
// load generator and `rtap produce` send with (docs/decisions/0002).
//
// Delivery: acks=all and a sequence number per partition. send() retries what failed (never what
// was written) with backoff until its delivery timeout, re-reading the metadata when leadership
// moved or a connection dropped; a request whose answer was lost goes again with the same sequence
// numbers, and the broker acknowledges a batch it already holds without writing it twice. One
// send() runs at a time (later ones queue), so each partition keeps the order sent. A send that
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

export class KafkaBatchProducer {
  private readonly requestTimeoutMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly pool: BrokerPool;
  /** Next sequence number per `topic/partition`. */
  private readonly sequences = new Map<string, number>();
  private producerId = -1n;
  private producerEpoch = 0;
  private tail: Promise<unknown> = Promise.resolve();
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

  /** Writes every record (acks=all); resolves once all are acknowledged. */
  send(topic: string, records: readonly PartitionRecord[]): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.failed) throw this.failed;
      try {
        await this.sendNow(topic, records);
      } catch (err) {
        this.failed = new Error(`kafka: the producer failed earlier and cannot go on (${(err as Error).message})`);
        throw err;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    this.pool.close();
  }

  private async sendNow(topic: string, records: readonly PartitionRecord[]): Promise<void> {
    if (this.producerId < 0n) throw new Error('kafka: producer used before connect()');
    const byPartition = groupBy(records, (r) => r.partition);
    await this.retrying(
      async () => {
        const failure = await this.attempt(topic, byPartition).catch((err: Error) => {
          // Metadata could not be read, or a partition does not exist (yet): retried like a broker error.
          this.pool.forgetTopic(topic);
          return err;
        });
        if (failure) throw failure;
      },
      (last) => (last instanceof KafkaFatalError ? last : new Error(`kafka: produce to ${topic} failed for ${this.deliveryTimeoutMs} ms: ${last.message}`)),
    );
  }

  /**
   * Sends each partition's records once; removes the written ones from `byPartition` and advances
   * their sequence numbers. Returns why the rest are still there (undefined: nothing is left).
   */
  private async attempt(topic: string, byPartition: Map<number, PartitionRecord[]>): Promise<Error | undefined> {
    const meta = await this.pool.topic(topic);
    for (const p of byPartition.keys()) {
      if (p < 0 || p >= meta.leaders.length) throw new Error(`kafka: topic ${topic} has ${meta.leaders.length} partitions, no partition ${p}`);
    }
    const byLeader = groupBy(byPartition.keys(), (p) => meta.leaders[p]!);
    let failure: Error | undefined;
    const acks = await Promise.all(
      [...byLeader].map(([leader, partitions]) =>
        leader < 0
          ? Promise.resolve(partitions.map((partition) => ({ partition, error: 5, baseOffset: -1n })))
          : this.produce(leader, topic, partitions, byPartition).catch((err: Error) => {
              // The connection is gone or timed out: whether the broker wrote the batches is unknown,
              // so they go again with the same sequence numbers (to a leader the metadata names anew).
              this.pool.drop(leader);
              this.pool.forgetTopic(topic);
              failure = err;
              return [] as PartitionAck[];
            }),
      ),
    );
    for (const ack of acks.flat()) {
      const batch = byPartition.get(ack.partition);
      if (!batch) continue;
      // A duplicate is a batch the broker already holds: written earlier, its ack lost.
      if (ack.error === 0 || ack.error === 46) {
        const key = `${topic}/${ack.partition}`;
        this.sequences.set(key, ((this.sequences.get(key) ?? 0) + batch.length) & 0x7fffffff);
        byPartition.delete(ack.partition);
        continue;
      }
      if (meansStaleMetadata(ack.error)) this.pool.forgetTopic(topic);
      const err = brokerError(`kafka: produce to ${topic} partition ${ack.partition}: ${errorName(ack.error)}`, ack.error);
      // A fatal error wins: it ends the send whatever else happened.
      if (!(failure instanceof KafkaFatalError)) failure = err;
    }
    return byPartition.size > 0 ? (failure ?? new Error(`kafka: produce to ${topic}: no answer for partitions ${[...byPartition.keys()].join(',')}`)) : undefined;
  }

  /** One produce request to `leader` with one batch per partition; the per-partition results. */
  private async produce(leader: number, topic: string, partitions: number[], byPartition: Map<number, PartitionRecord[]>): Promise<PartitionAck[]> {
    const conn = await this.pool.connection(leader);
    const batches = partitions.map((p) => ({ partition: p, records: byPartition.get(p)!, baseSequence: this.sequences.get(`${topic}/${p}`) ?? 0 }));
    return conn.call(produce(topic, batches, { producerId: this.producerId, producerEpoch: this.producerEpoch }, this.requestTimeoutMs));
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
        if (e instanceof KafkaFatalError || Date.now() >= deadline) throw giveUp(e, attempt);
        this.opts.onRetry?.(e);
        await sleep(retryDelayMs(attempt, 100, 2_000));
      }
    }
  }
}
