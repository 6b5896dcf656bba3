// A client's view of a Kafka cluster: one connection per broker, opened on first use and shared by
// all of the client's requests, and each topic's id and partition leaders from the metadata, kept
// until a caller reports them stale (leadership moved, a connection dropped). The batch producer and
// the consumer (KafkaSource) each own one. A broker is reached over one connection per lane: the
// consumer's group requests (heartbeats, commits) never queue behind its long-polling fetches, and a
// failed fetch that drops its connection does not take a heartbeat with it.
import { BrokerConnection } from './wire/connection.ts';
import { errorName } from './wire/errors.ts';
import { metadata } from './wire/requests.ts';

export interface TopicLayout {
  /** The topic's id (32 hex digits), which the consumer group protocol names topics by. */
  readonly id: string;
  /** Leader broker id per partition (-1: none right now). */
  readonly leaders: readonly number[];
}

export interface BrokerPoolOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** How long a connection waits for an answer (and for connecting). */
  readonly requestTimeoutMs: number;
}

/** Requests that must not wait behind each other's go over separate connections. */
export type Lane = 'data' | 'group';

interface Broker {
  readonly host: string;
  readonly port: number;
}

function parseHostPort(hp: string): Broker {
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hp.slice(i + 1)) };
}

export class BrokerPool {
  private readonly brokers = new Map<number, Broker>();
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private bootstraps = 0;
  private readonly topics = new Map<string, TopicLayout>();
  private closed = false;

  constructor(private readonly opts: BrokerPoolOptions) {
    if (opts.brokers.length === 0) throw new Error('kafka: no bootstrap brokers given');
  }

  /** The topic's id and leaders, from the metadata unless known. Throws when the topic is not available. */
  async topic(name: string): Promise<TopicLayout> {
    const known = this.topics.get(name);
    if (known) return known;
    const conn = await this.any();
    const meta = await conn.call(metadata([name]));
    for (const b of meta.brokers) this.brokers.set(b.id, { host: b.host, port: b.port });
    const t = meta.topics.find((x) => x.name === name);
    if (!t || t.error !== 0) throw new Error(`kafka: topic ${name} is not available (${t ? errorName(t.error) : 'not in the metadata'})`);
    const leaders = new Array<number>(t.partitions.length).fill(-1);
    for (const p of t.partitions) if (p.index < leaders.length) leaders[p.index] = p.error === 0 ? p.leader : -1;
    const layout = { id: t.id, leaders };
    this.topics.set(name, layout);
    return layout;
  }

  /** The next topic() reads the metadata again. */
  forgetTopic(name: string): void {
    this.topics.delete(name);
  }

  /** Tells the pool where broker `id` listens (a coordinator the metadata has not named yet). */
  learn(id: number, host: string, port: number): void {
    const b = this.brokers.get(id);
    if (b?.host === host && b.port === port) return;
    this.brokers.set(id, { host, port });
    this.drop(id, 'data');
    this.drop(id, 'group');
  }

  /** A connection to any broker: an open one, else the bootstrap list in order. */
  async any(): Promise<BrokerConnection> {
    for (const [key, c] of this.connections) {
      const conn = await c.catch(() => undefined);
      if (conn?.isOpen) return conn;
      if (this.connections.get(key) === c) this.connections.delete(key);
    }
    const errors: string[] = [];
    for (const hp of this.opts.brokers) {
      const { host, port } = parseHostPort(hp);
      try {
        const conn = await this.open(host, port);
        // Bootstrap connections get keys of their own: the metadata says which broker id they are.
        this.connections.set(`bootstrap:${++this.bootstraps}`, Promise.resolve(conn));
        return conn;
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    throw new Error(errors.join('; '));
  }

  /** The connection to broker `id` (known from the metadata or learn()) in `lane`; concurrent callers share one. */
  async connection(id: number, lane: Lane = 'data'): Promise<BrokerConnection> {
    const key = `${lane}:${id}`;
    const known = this.connections.get(key);
    if (known) {
      const conn = await known.catch(() => undefined);
      if (conn?.isOpen) return conn;
      // Another caller may have replaced the dead connection while we waited: use theirs.
      if (this.connections.get(key) !== known) return this.connection(id, lane);
    }
    const broker = this.brokers.get(id);
    if (!broker) throw new Error(`kafka: broker ${id} is not in the metadata`);
    const opening = this.open(broker.host, broker.port);
    this.connections.set(key, opening);
    opening.catch(() => {
      if (this.connections.get(key) === opening) this.connections.delete(key);
    });
    return opening;
  }

  /** Closes the connection to broker `id` in `lane` (what was in flight on it fails); the next use reconnects. */
  drop(id: number, lane: Lane = 'data'): void {
    this.dropKey(`${lane}:${id}`);
  }

  close(): void {
    this.closed = true;
    for (const key of [...this.connections.keys()]) this.dropKey(key);
  }

  private dropKey(key: string): void {
    const c = this.connections.get(key);
    this.connections.delete(key);
    void c?.then((conn) => conn.close(), () => undefined);
  }

  private open(host: string, port: number): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new Error('kafka: client closed'));
    return BrokerConnection.open(host, port, this.opts.clientId, this.opts.requestTimeoutMs);
  }
}
