// Sends generated items (events and deliberately bad records) to Kafka, each to the partition the
// generator chose, in order, through an idempotent producer: with a fresh topic the Kafka offsets
// equal the generator's, so the oracle's expected result ids match the pipeline's exactly.
import type { Kafka, Producer } from 'kafkajs';
import { EventCodec } from '../actors/events/index.ts';
import type { GeneratedItem } from '../actors/testkit/index.ts';

export interface ProducedStats {
  sent: number;
  bad: number;
}

export class EventProducer {
  private readonly producer: Producer;
  private readonly codec = new EventCodec();

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /** Sends `items` in batches; resolves when Kafka acknowledged all of them (acks=all). */
  async send(items: Iterable<GeneratedItem>, batchSize = 2_000, headers?: (item: GeneratedItem) => Record<string, string> | undefined): Promise<ProducedStats> {
    const stats: ProducedStats = { sent: 0, bad: 0 };
    let batch: GeneratedItem[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: batch.map((item) => {
          const h = headers?.(item);
          return {
            partition: item.partition,
            key: item.kind === 'event' ? item.event.userId : null,
            value: item.kind === 'event' ? this.codec.encode(item.event) : item.bytes,
            ...(h ? { headers: h } : {}),
          };
        }),
      });
      stats.sent += batch.length;
      batch = [];
    };
    for (const item of items) {
      if (item.kind === 'bad') stats.bad++;
      batch.push(item);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return stats;
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
