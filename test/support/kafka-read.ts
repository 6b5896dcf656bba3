// Reads a topic back with kafkajs (an independent client) for tests of what our producers wrote.
import type { IHeaders, Kafka } from 'kafkajs';
import { eventually, uniqueName } from './endpoints.ts';

export interface Read {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  /** Header values as text. */
  headers: Record<string, string>;
}

/** Every record of `topic` from the beginning, once `count` have arrived and nothing more came for 300 ms. */
export async function readAll(kafka: Kafka, topic: string, count: number): Promise<Read[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('itest-read'), maxWaitTimeInMs: 50 });
  const got: Read[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const text = (h: IHeaders): Record<string, string> => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
  await consumer.run({
    eachMessage: async ({ partition, message }) =>
      void got.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers: text(message.headers ?? {}) }),
  });
  try {
    await eventually(async () => (got.length >= count ? true : undefined), 20_000, `${count} records`);
    await new Promise((r) => setTimeout(r, 300)); // anything beyond `count` would be a duplicate
    return got;
  } finally {
    await consumer.disconnect();
  }
}
