// An idempotent Kafka producer for high rates: each send() becomes one produce request per leader
// broker, each partition's records one batch encoded in bulk (wire/record-batch.ts). It is what the
// load generator and `rtap produce` send with; the nodes keep kafkajs (docs/decisions/0001 and 0002).
//
// Delivery: acks=all and a sequence number per partition, so a request retried after a lost
// response is de-duplicated by the broker. send() retries what failed (not what was written) with
// backoff, re-reading the metadata when leadership moved; when it gives up it rejects with the
// partitions not (or not surely) written, which keep their sequence numbers: sending those same
// records again cannot duplicate them. One send() runs at a time (later ones queue), which keeps
// each partition's records in order.
import { BrokerConnection } from './wire/connection.ts';
import { errorName, isRetriable, meansStaleMetadata } from './wire/errors.ts';
import type { KafkaRecord } from './wire/record-batch.ts';
import { initProducerId, metadata, produce, type PartitionAck } from './wire/requests.ts';

export type { KafkaRecord } from './wire/record-batch.ts';
export interface PartitionRecord extends KafkaRecord {
  readonly partition: number;
}

export interface BatchProducerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** How long a request may wait for its response (also the broker's timeout for acks=all). */
  readonly requestTimeoutMs?: number;
  /** Attempts per send() (and per connect()) before it rejects; backoff doubles from 100 ms to 2 s. */
  readonly attempts?: number;
}

export class KafkaProduceError extends Error {
  constructor(
    message: string,
    /** Partitions whose records were not, or not surely, written; resend exactly those. */
    readonly unwritten: readonly number[],
  ) {
    super(message);
    this.name = 'KafkaProduceError';
  }
}

interface Broker {
  readonly host: string;
  readonly port: number;
}

interface TopicMeta {
  /** Leader broker id per partition (-1: none right now). */
  readonly leaders: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function parseHostPort(hp: string): Broker {
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hp.slice(i + 1)) };
}

export class KafkaBatchProducer {
  private readonly requestTimeoutMs: number;
  private readonly attempts: number;
  private readonly brokers = new Map<number, Broker>();
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  private readonly topics = new Map<string, TopicMeta>();
  /** Next sequence number per `topic/partition`. */
  private readonly sequences = new Map<string, number>();
  private producerId = -1n;
  private producerEpoch = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: BatchProducerOptions) {
    if (opts.brokers.length === 0) throw new Error('kafka: no bootstrap brokers given');
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.attempts = opts.attempts ?? 8;
  }

  /** Learns the cluster from a bootstrap broker and obtains a producer id. */
  async connect(): Promise<void> {
    await this.retrying('connect', async () => {
      const conn = await this.bootstrap();
      const r = await conn.call(initProducerId());
      if (r.error !== 0) throw Object.assign(new Error(`kafka: InitProducerId failed: ${errorName(r.error)}`), { retriable: isRetriable(r.error) });
      this.producerId = r.producerId;
      this.producerEpoch = r.producerEpoch;
    });
  }

  /** Writes every record (acks=all); resolves once all are acknowledged. */
  send(topic: string, records: readonly PartitionRecord[]): Promise<void> {
    const run = this.tail.then(() => this.sendNow(topic, records));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    for (const c of this.connections.values()) void c.then((conn) => conn.close(), () => undefined);
    this.connections.clear();
  }

  private async sendNow(topic: string, records: readonly PartitionRecord[]): Promise<void> {
    if (this.producerId < 0n) throw new Error('kafka: producer used before connect()');
    const byPartition = new Map<number, PartitionRecord[]>();
    for (const r of records) {
      const list = byPartition.get(r.partition);
      if (list) list.push(r);
      else byPartition.set(r.partition, [r]);
    }
    let lastError = '';
    for (let attempt = 1; byPartition.size > 0; attempt++) {
      if (attempt > this.attempts) {
        throw new KafkaProduceError(`kafka: produce to ${topic} failed ${this.attempts} times: ${lastError}`, [...byPartition.keys()]);
      }
      if (attempt > 1) await sleep(Math.min(2_000, 100 * 2 ** (attempt - 2)));
      try {
        const meta = await this.topicMeta(topic);
        const byLeader = new Map<number, number[]>();
        for (const p of byPartition.keys()) {
          if (p < 0 || p >= meta.leaders.length) throw new Error(`kafka: topic ${topic} has ${meta.leaders.length} partitions, no partition ${p}`);
          const leader = meta.leaders[p]!;
          const list = byLeader.get(leader);
          if (list) list.push(p);
          else byLeader.set(leader, [p]);
        }
        const acks = await Promise.all(
          [...byLeader].map(([leader, partitions]) =>
            leader < 0
              ? Promise.resolve(partitions.map((partition) => ({ partition, error: 5, baseOffset: -1n })))
              : this.produce(leader, topic, partitions, byPartition).catch((err: Error) => {
                  // The connection is gone (or timed out): whether the broker wrote it is unknown.
                  this.dropConnection(leader);
                  lastError = err.message;
                  return partitions.map((partition) => ({ partition, error: -1, baseOffset: -1n }));
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
          if (ack.error === -1) continue;
          lastError = `partition ${ack.partition}: ${errorName(ack.error)}`;
          if (meansStaleMetadata(ack.error)) this.topics.delete(topic);
          if (!isRetriable(ack.error)) throw new KafkaProduceError(`kafka: produce to ${topic} failed: ${lastError}`, [...byPartition.keys()]);
        }
      } catch (err) {
        if (err instanceof KafkaProduceError) throw err;
        // Metadata could not be read, or a partition does not exist: retried like a broker error.
        lastError = (err as Error).message;
        this.topics.delete(topic);
      }
    }
  }

  /** One produce request to `leader` with one batch per partition; the per-partition results. */
  private async produce(leader: number, topic: string, partitions: number[], byPartition: Map<number, PartitionRecord[]>): Promise<PartitionAck[]> {
    const conn = await this.connection(leader);
    const batches = partitions.map((p) => ({ partition: p, records: byPartition.get(p)!, baseSequence: this.sequences.get(`${topic}/${p}`) ?? 0 }));
    return conn.call(produce(topic, batches, { producerId: this.producerId, producerEpoch: this.producerEpoch }, this.requestTimeoutMs));
  }

  private async topicMeta(topic: string): Promise<TopicMeta> {
    const known = this.topics.get(topic);
    if (known) return known;
    const conn = await this.bootstrap();
    const meta = await conn.call(metadata([topic]));
    for (const b of meta.brokers) this.brokers.set(b.id, { host: b.host, port: b.port });
    const t = meta.topics.find((x) => x.name === topic);
    if (!t || t.error !== 0) throw new Error(`kafka: topic ${topic} is not available (${t ? errorName(t.error) : 'not in the metadata'})`);
    const leaders = new Array<number>(t.partitions.length).fill(-1);
    for (const p of t.partitions) if (p.index < leaders.length) leaders[p.index] = p.error === 0 ? p.leader : -1;
    const result = { leaders };
    this.topics.set(topic, result);
    return result;
  }

  /** A connection to any broker: a known one, else the bootstrap list in order. */
  private async bootstrap(): Promise<BrokerConnection> {
    for (const [id, c] of this.connections) {
      const conn = await c.catch(() => undefined);
      if (conn?.isOpen) return conn;
      this.connections.delete(id);
    }
    const errors: string[] = [];
    for (const hp of this.opts.brokers) {
      const { host, port } = parseHostPort(hp);
      try {
        const conn = await BrokerConnection.open(host, port, this.opts.clientId, this.requestTimeoutMs);
        // Bootstrap connections get a negative key: the metadata says which broker id they are.
        this.connections.set(-1 - this.connections.size, Promise.resolve(conn));
        return conn;
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    throw new Error(errors.join('; '));
  }

  private connection(id: number): Promise<BrokerConnection> {
    const known = this.connections.get(id);
    if (known) return known;
    const broker = this.brokers.get(id);
    if (!broker) return Promise.reject(new Error(`kafka: broker ${id} is not in the metadata`));
    const opening = BrokerConnection.open(broker.host, broker.port, this.opts.clientId, this.requestTimeoutMs);
    this.connections.set(id, opening);
    opening.catch(() => this.connections.delete(id));
    return opening.then((conn) => {
      if (!conn.isOpen) this.connections.delete(id);
      return conn;
    });
  }

  private dropConnection(id: number): void {
    const c = this.connections.get(id);
    this.connections.delete(id);
    void c?.then((conn) => conn.close(), () => undefined);
  }

  private async retrying(what: string, f: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await f();
      } catch (err) {
        const e = err as Error & { retriable?: boolean };
        if (e.retriable === false || attempt >= this.attempts) throw new Error(`kafka: ${what} failed after ${attempt} attempts: ${e.message}`);
        await sleep(Math.min(2_000, 100 * 2 ** (attempt - 1)));
      }
    }
  }
}
