// Sends generated items (events and deliberately bad records) to Kafka, each to the partition the
// generator chose, in order, through an idempotent producer: with a fresh topic the Kafka offsets
// equal the generator's, so the oracle's expected result ids match the pipeline's exactly.
import { EventCodec } from '../actors/events/index.ts';
import type { GeneratedItem } from '../actors/testkit/index.ts';
import { KafkaBatchProducer, KafkaProduceError, type PartitionRecord } from '../transports/kafka/batch-producer.ts';

export interface ProducedStats {
  sent: number;
  bad: number;
}

export class EventProducer {
  private readonly producer: KafkaBatchProducer;
  private readonly codec = new EventCodec();

  constructor(
    brokers: readonly string[],
    private readonly topic: string,
    clientId = 'rtap-loadtest',
  ) {
    this.producer = new KafkaBatchProducer({ brokers, clientId });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /**
   * Sends `items` in batches; resolves when Kafka acknowledged all of them (acks=all). Rejects with
   * an UnsentError holding the items not (or not surely) written, in order: sending exactly those
   * again (the same producer) writes every item once.
   */
  async send(items: Iterable<GeneratedItem>, batchSize = 2_000, headers?: (item: GeneratedItem) => Record<string, string> | undefined): Promise<ProducedStats> {
    const all = [...items];
    const stats: ProducedStats = { sent: 0, bad: 0 };
    for (let from = 0; from < all.length; from += batchSize) {
      const batch = all.slice(from, from + batchSize);
      try {
        await this.producer.send(this.topic, batch.map((item) => this.record(item, headers?.(item))));
      } catch (err) {
        const unwritten = err instanceof KafkaProduceError ? new Set(err.unwritten) : undefined;
        const left = unwritten ? batch.filter((item) => unwritten.has(item.partition)) : batch;
        throw new UnsentError((err as Error).message, [...left, ...all.slice(from + batchSize)]);
      }
      stats.sent += batch.length;
      for (const item of batch) if (item.kind === 'bad') stats.bad++;
    }
    return stats;
  }

  async close(): Promise<void> {
    await this.producer.close();
  }

  private record(item: GeneratedItem, headers: Record<string, string> | undefined): PartitionRecord {
    const key = item.kind === 'event' ? item.event.userId : null;
    const value = item.kind === 'event' ? this.codec.encode(item.event) : item.bytes;
    return headers ? { partition: item.partition, key, value, headers } : { partition: item.partition, key, value };
  }
}

export class UnsentError extends Error {
  constructor(
    message: string,
    readonly unsent: readonly GeneratedItem[],
  ) {
    super(message);
    this.name = 'UnsentError';
  }
}
