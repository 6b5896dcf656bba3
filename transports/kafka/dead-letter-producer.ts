// Sends bad records to the dead-letter topic with the reason and their source position in
// headers; keyed by source partition/offset so a replayed record is recognisable as a copy.
// Bounded and never dropping, like the result sinks: while Kafka is down letters wait and retry.
import type { Kafka, Producer } from 'kafkajs';
import type { DeadLetter, DeadLetterOutput } from '../../actors/partition/ports.ts';
import { DeliveryQueue } from '../delivery-queue.ts';
import type { SinkStatus } from '../result-sink.ts';
import { DLQ_DETAIL, DLQ_REASON, DLQ_SOURCE_OFFSET, DLQ_SOURCE_PARTITION, DLQ_SOURCE_TOPIC } from './headers.ts';

export class DeadLetterProducer implements DeadLetterOutput {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;
  private readonly queue: DeliveryQueue<DeadLetter>;
  private readonly byReason = new Map<string, number>();

  constructor(
    kafka: Kafka,
    private readonly sourceTopic: string,
    private readonly dlqTopic: string,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.queue = new DeliveryQueue<DeadLetter>({ send: (b) => this.write(b), maxBatch: 500, maxInFlight: 1, highWater: 10_000, lingerMs: 5 });
  }

  send(letter: DeadLetter): void {
    this.byReason.set(letter.reason, (this.byReason.get(letter.reason) ?? 0) + 1);
    this.queue.push(letter);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.byReason);
  }

  status(): SinkStatus {
    const err = this.queue.lastError;
    return {
      name: 'dlq',
      healthy: !err,
      buffered: this.queue.buffered,
      delivered: this.queue.delivered,
      retries: this.queue.retries,
      ...(err ? { reason: `kafka dlq: ${err.message}` } : {}),
    };
  }

  async close(): Promise<void> {
    this.queue.close();
    await this.producer.disconnect();
  }

  private async write(batch: DeadLetter[]): Promise<void> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    await this.connected;
    await this.producer.send({
      topic: this.dlqTopic,
      acks: -1,
      messages: batch.map((l) => ({
        key: `${this.sourceTopic}/${l.partition}/${l.offset}`,
        value: l.value === null ? null : Buffer.from(l.value.buffer, l.value.byteOffset, l.value.byteLength),
        headers: {
          [DLQ_REASON]: l.reason,
          [DLQ_DETAIL]: l.detail.slice(0, 1_000),
          [DLQ_SOURCE_TOPIC]: this.sourceTopic,
          [DLQ_SOURCE_PARTITION]: String(l.partition),
          [DLQ_SOURCE_OFFSET]: String(l.offset),
        },
      })),
    });
  }
}
