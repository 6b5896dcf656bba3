// The input side of a node: membership of the consumer group on the events topic, delivering each
// partition's records in batches. Newly assigned partitions stay paused until their owner says
// where to start (`seek`), because only the restored snapshot knows that. Offsets are committed
// only when asked (after a durable checkpoint), never automatically.
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../runtime/index.ts';
import type { SourceRecord } from '../../actors/partition/ports.ts';
import { extractTraceparent } from './headers.ts';

export interface SourceHandlers {
  /** Partitions this member now owns that it did not own before. Paused until `seek`. */
  assigned(partitions: number[]): void;
  /** Partitions this member no longer owns. Their records stop coming. */
  revoked(partitions: number[]): void;
  /** A batch of one partition; `lag` = high watermark − next offset after the batch. */
  records(partition: number, records: SourceRecord[], lag: number): void;
}

export interface KafkaSourceOptions {
  topic: string;
  groupId: string;
  log: Logger;
  /**
   * A fetch returns once this many bytes are ready or fetchMaxWaitMs passed: fewer, larger fetches
   * (less broker and client CPU per event) against at most fetchMaxWaitMs of added latency. With
   * nothing to read, a node asks again every fetchMaxWaitMs; with every partition paused, kafkajs
   * sleeps that long before it looks again.
   */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
}

export class KafkaSource {
  private consumer: Consumer | undefined;
  private owned = new Set<number>();
  /** Next offset to fetch per partition, as last delivered (for kept partitions after a rebalance). */
  private readonly nextOffset = new Map<number, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: KafkaSourceOptions,
  ) {}

  async start(handlers: SourceHandlers): Promise<void> {
    const { topic, groupId, log } = this.opts;
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      rebalanceTimeout: 20_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: this.opts.fetchMaxWaitMs ?? 100,
      minBytes: this.opts.fetchMinBytes ?? 1,
      maxBytes: 8 * 1024 * 1024,
      maxBytesPerPartition: 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;

    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const now = new Set(payload.memberAssignment[topic] ?? []);
      const added = [...now].filter((p) => !this.owned.has(p));
      const removed = [...this.owned].filter((p) => !now.has(p));
      this.owned = now;
      // The classic protocol revokes everything on a rebalance and re-reads from the committed
      // offsets; partitions we keep continue where their delivery stopped instead.
      for (const p of now) {
        const next = this.nextOffset.get(p);
        if (!added.includes(p) && next !== undefined) consumer.seek({ topic, partition: p, offset: String(next) });
      }
      if (added.length > 0) consumer.pause([{ topic, partitions: added }]);
      for (const p of removed) this.nextOffset.delete(p);
      log.info('partitions assigned', { owned: [...now].sort((a, b) => a - b), added, removed });
      if (removed.length > 0) handlers.revoked(removed);
      if (added.length > 0) handlers.assigned(added);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      log.error('kafka consumer crashed', { error: payload.error.message, restart: payload.restart });
    });

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, isStale, isRunning, resolveOffset }) => {
        if (!isRunning() || isStale() || !this.owned.has(batch.partition) || batch.messages.length === 0) return;
        const records = batch.messages.map(toRecord);
        const last = records[records.length - 1]!.offset;
        this.nextOffset.set(batch.partition, last + 1);
        // Advances the fetch position only; offsets are committed after checkpoints (commit()).
        resolveOffset(batch.lastOffset());
        handlers.records(batch.partition, records, Math.max(0, Number(batch.highWatermark) - last - 1));
      },
    });
  }

  /** Start (or restart) reading `partition` at `offset` (undefined: its beginning) and unpause it. */
  seek(partition: number, offset: number | undefined): void {
    const consumer = this.consumer;
    if (!consumer || !this.owned.has(partition)) return;
    consumer.seek({ topic: this.opts.topic, partition, offset: String(offset ?? 0) });
    this.nextOffset.set(partition, offset ?? 0);
    consumer.resume([{ topic: this.opts.topic, partitions: [partition] }]);
  }

  pause(partition: number): void {
    this.consumer?.pause([{ topic: this.opts.topic, partitions: [partition] }]);
  }

  resume(partition: number): void {
    if (this.owned.has(partition)) this.consumer?.resume([{ topic: this.opts.topic, partitions: [partition] }]);
  }

  async commit(partition: number, nextOffset: number): Promise<void> {
    if (!this.consumer) throw new Error('kafka source not started');
    await this.consumer.commitOffsets([{ topic: this.opts.topic, partition, offset: String(nextOffset) }]);
  }

  ownedPartitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function toRecord(m: KafkaMessage): SourceRecord {
  const traceparent = extractTraceparent(m.headers);
  return traceparent ? { offset: Number(m.offset), value: m.value, traceparent } : { offset: Number(m.offset), value: m.value };
}
