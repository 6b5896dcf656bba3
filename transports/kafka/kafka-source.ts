// The input side of a node: membership of the consumer group on the events topic (KIP-848's
// protocol, group-member.ts), delivering each partition's records in batches (record-fetcher.ts).
// Newly assigned partitions are not read until their owner says where to start (`seek`), because
// only the restored snapshot knows that. Offsets are committed only when asked (after a durable
// checkpoint), never automatically. A revoked partition is handed on once `revoked` has settled.
import type { Logger } from '../../runtime/index.ts';
import type { SourceRecord } from '../../actors/partition/ports.ts';
import { BrokerPool } from './broker-pool.ts';
import { GroupMember } from './group-member.ts';
import { TRACEPARENT } from './headers.ts';
import { EARLIEST, RecordFetcher } from './record-fetcher.ts';
import { API, apiVersions } from './wire/consumer-requests.ts';
import type { FetchedRecord } from './wire/record-batch-reader.ts';

export interface SourceHandlers {
  /** Partitions this member now owns that it did not own before. Not read until `seek`. */
  assigned(partitions: number[]): void;
  /** Partitions this member gives up. Their records stop coming; the group hands them on when this settles. */
  revoked(partitions: number[]): Promise<unknown> | void;
  /** A batch of one partition; `lag` = high watermark − next offset after the batch. */
  records(partition: number, records: SourceRecord[], lag: number): void;
}

export interface KafkaSourceOptions {
  brokers: readonly string[];
  clientId: string;
  topic: string;
  groupId: string;
  log: Logger;
  /**
   * A fetch returns once this many bytes are ready or fetchMaxWaitMs passed: fewer, larger fetches
   * (less broker and client CPU per event) against at most fetchMaxWaitMs of added latency. With
   * nothing to read, a node asks again every fetchMaxWaitMs.
   */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  /** How long the group waits for this member to give up a partition (its checkpoint) before fencing it. */
  rebalanceTimeoutMs?: number;
}

/** The versions this client sends (consumer-requests.ts, requests.ts). */
const NEEDED: [number, number, string][] = [
  [API.consumerGroupHeartbeat, 1, 'ConsumerGroupHeartbeat'],
  [API.fetch, 11, 'Fetch'],
  [API.offsetCommit, 9, 'OffsetCommit'],
  [API.findCoordinator, 3, 'FindCoordinator'],
  [API.listOffsets, 4, 'ListOffsets'],
  [API.metadata, 12, 'Metadata'],
];

export class KafkaSource {
  private readonly pool: BrokerPool;
  private member: GroupMember | undefined;
  private fetcher: RecordFetcher | undefined;
  private readonly owned = new Set<number>();

  constructor(private readonly opts: KafkaSourceOptions) {
    this.pool = new BrokerPool({ brokers: opts.brokers, clientId: opts.clientId, requestTimeoutMs: 30_000 });
  }

  async start(handlers: SourceHandlers): Promise<void> {
    try {
      await this.join(handlers);
    } catch (err) {
      this.pool.close();
      throw err;
    }
  }

  private async join(handlers: SourceHandlers): Promise<void> {
    const { topic, groupId, log } = this.opts;
    await this.requireProtocol();
    const layout = await this.pool.topic(topic);
    this.fetcher = new RecordFetcher(
      this.pool,
      topic,
      { maxWaitMs: this.opts.fetchMaxWaitMs ?? 100, minBytes: this.opts.fetchMinBytes ?? 1, maxBytes: 8 * 1024 * 1024, partitionMaxBytes: 1024 * 1024 },
      (partition, records, highWatermark) => {
        const next = records[records.length - 1]!.offset + 1;
        handlers.records(partition, records.map(toSourceRecord), Math.max(0, highWatermark - next));
      },
      log,
    );
    const fetcher = this.fetcher;
    this.member = new GroupMember(
      this.pool,
      { groupId, topic, topicId: layout.id, rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs ?? 30_000, log },
      {
        assigned: (added) => {
          for (const p of added) this.owned.add(p);
          log.info('partitions assigned', { owned: this.ownedPartitions(), added, removed: [] });
          handlers.assigned(added);
        },
        revoked: async (removed) => {
          for (const p of removed) {
            this.owned.delete(p);
            fetcher.stop(p);
          }
          log.info('partitions assigned', { owned: this.ownedPartitions(), added: [], removed });
          await handlers.revoked(removed);
        },
      },
    );
    await this.member.start();
  }

  /** Start (or restart) reading `partition` at `offset` (undefined: its earliest retained record). */
  seek(partition: number, offset: number | undefined): void {
    if (this.owned.has(partition)) this.fetcher?.start(partition, offset ?? EARLIEST);
  }

  pause(partition: number): void {
    this.fetcher?.pause(partition);
  }

  resume(partition: number): void {
    this.fetcher?.resume(partition);
  }

  async commit(partition: number, nextOffset: number): Promise<void> {
    if (!this.member) throw new Error('kafka source not started');
    await this.member.commit(partition, nextOffset);
  }

  ownedPartitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  /** Leaves the group and closes the connections. */
  async stop(): Promise<void> {
    await this.member?.stop();
    await this.fetcher?.close();
    this.pool.close();
  }

  /** Fails fast, naming what is missing, on a broker older than the consumer group protocol (Kafka 4.0). */
  private async requireProtocol(): Promise<void> {
    const { ranges } = await (await this.pool.any()).call(apiVersions());
    const missing = NEEDED.filter(([key, version]) => {
      const r = ranges.get(key);
      return !r || r.min > version || r.max < version;
    });
    if (missing.length > 0) {
      const names = missing.map(([, v, name]) => `${name} v${v}`).join(', ');
      throw new Error(`kafka: the broker does not accept ${names}; rtap's consumer needs Kafka 4.0 or later (the consumer group protocol of KIP-848 enabled)`);
    }
  }
}

function toSourceRecord(r: FetchedRecord): SourceRecord {
  for (const [name, value] of r.headers) if (name === TRACEPARENT) return { offset: r.offset, value: r.value, traceparent: value.toString('latin1') };
  return { offset: r.offset, value: r.value };
}
