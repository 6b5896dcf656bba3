// One kafkajs client per process, for administration: the topic checks (docs/decisions/0001, 0003),
// logging through our logger instead of its own console output.
import { Kafka, logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../../runtime/index.ts';

export function createKafka(clientId: string, brokers: string[], log: Logger): Kafka {
  const creator: logCreator = () => ({ namespace, level, log: entry }) => {
    const { message, ...rest } = entry;
    const fields = { kafka: namespace, ...rest };
    const msg = `kafka: ${message}`;
    // kafkajs reports every rebalance as errors of its connections; they are routine, not failures.
    if (level === logLevel.ERROR && !/rebalanc/i.test(String(rest['error'] ?? ''))) log.error(msg, fields);
    else if (level === logLevel.WARN) log.warn(msg, fields);
  };
  return new Kafka({ clientId, brokers, logLevel: logLevel.WARN, logCreator: creator, retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 } });
}

/** Fails fast, naming the topic, when it is missing (auto-creation is off on purpose). */
export async function requireTopic(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] }).catch((err: Error) => {
      throw new Error(`kafka: topic ${topic} is not available (${err.message}); \`make infra-up\` creates it`);
    });
    return meta.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}
