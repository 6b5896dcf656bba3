// Sends bad records to the dead-letter topic with the reason, their source position and (when
// traced) the dead-letter span's trace context in headers; keyed by source partition/offset so a replayed record is recognisable as a copy.
// Bounded and never dropping, like the result sinks: while Kafka is down letters wait and retry.
import type { Kafka, Producer } from 'kafkajs';
import type { DeadLetter, DeadLetterOutput } from '../../actors/partition/ports.ts';
import { DeliveryQueue } from '../delivery-queue.ts';
import type { SinkStatus } from '../result-sink.ts';
import { DLQ_DETAIL, DLQ_REASON, DLQ_SOURCE_OFFSET, DLQ_SOURCE_PARTITION, DLQ_SOURCE_TOPIC, TRACEPARENT } from './headers.ts';

export class DeadLetterProducer implements DeadLetterOutput {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;
  private readonly queue: DeliveryQueue<DeadLetter>;

  constructor(
    kafka: Kafka,
    private readonly sourceTopic: string,
    private readonly dlqTopic: string,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.queue = new DeliveryQueue<DeadLetter>({ send: (b) => this.write(b), maxBatch: 500, maxInFlight: 1, highWater: 10_000, lingerMs: 5 });
  }

  send(letter: DeadLetter): void {
    this.queue.push(letter);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  status(): SinkStatus {
    return this.queue.status('dlq', 'kafka dlq');
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
          ...(l.traceparent !== undefined ? { [TRACEPARENT]: l.traceparent } : {}),
        },
      })),
    });
  }
}
