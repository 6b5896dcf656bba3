// Sends generated items (events and deliberately bad records) to Kafka, each to the partition the
// generator chose, in order, through an idempotent producer: with a fresh topic the Kafka offsets
// equal the generator's, so the oracle's expected result ids match the pipeline's exactly.
import { EventCodec } from '../actors/events/index.ts';
import type { GeneratedItem } from '../actors/testkit/index.ts';
import { KafkaBatchProducer, type PartitionRecord } from '../transports/kafka/batch-producer.ts';

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
    /** Told of every failed attempt the producer retries. */
    onRetry?: (err: Error) => void,
  ) {
    this.producer = new KafkaBatchProducer({ brokers, clientId, ...(onRetry ? { onRetry } : {}) });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /**
   * Sends `items` in batches; resolves when Kafka acknowledged all of them (acks=all). The producer
   * retries failures itself; when it rejects, the items are in doubt and this producer is done.
   */
  async send(items: Iterable<GeneratedItem>, batchSize = 2_000, headers?: (item: GeneratedItem) => Record<string, string> | undefined): Promise<ProducedStats> {
    const stats: ProducedStats = { sent: 0, bad: 0 };
    let batch: GeneratedItem[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await this.sendRecords(batch.map((item) => recordOf(this.codec, item, headers?.(item))));
      stats.sent += batch.length;
      for (const item of batch) if (item.kind === 'bad') stats.bad++;
      batch = [];
    };
    for (const item of items) {
      batch.push(item);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return stats;
  }

  /** Sends records already encoded (a PreparedLoad's); resolves when Kafka acknowledged them all. */
  async sendRecords(records: PartitionRecord[]): Promise<void> {
    await this.producer.send(this.topic, records);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }

  /** Gives up what is in flight (KafkaBatchProducer.abort): for a stop while Kafka is unreachable. */
  abort(): void {
    this.producer.abort();
  }
}

/** The Kafka record a generated item is sent as: keyed by its user, the event Avro-encoded (a bad record as it was made). */
export function recordOf(codec: EventCodec, item: GeneratedItem, headers?: Record<string, string>): PartitionRecord & { key: string | null; value: Buffer } {
  const key = item.kind === 'event' ? item.event.userId : null;
  const value = item.kind === 'event' ? codec.encode(item.event) : item.bytes;
  return headers ? { partition: item.partition, key, value, headers } : { partition: item.partition, key, value };
}
