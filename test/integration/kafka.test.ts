import { expect } from 'chai';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { DeadLetterProducer } from '../../transports/kafka/dead-letter-producer.ts';
import { DLQ_REASON, DLQ_SOURCE_OFFSET, DLQ_SOURCE_PARTITION, TRACEPARENT } from '../../transports/kafka/headers.ts';
import { KafkaSource } from '../../transports/kafka/kafka-source.ts';
import { silentLogger } from '../../runtime/index.ts';
import type { SourceRecord } from '../../actors/partition/ports.ts';
import { createTopics, deleteTopics } from '../support/cluster.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';
import { readAll } from '../support/kafka-read.ts';

const kafka = new Kafka({ clientId: 'itest', brokers: [...endpoints.kafkaBrokers], logLevel: logLevel.NOTHING });
/** A W3C trace context a traced dead letter carries. */
const TRACED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('Kafka (real broker)', () => {
  it('has the pipeline topics: events with 12 partitions and events.dlq', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: ['events', 'events.dlq'] });
      expect(meta.topics.find((t) => t.name === 'events')!.partitions).to.have.length(12);
      expect(meta.topics.map((t) => t.name)).to.include('events.dlq');
    } finally {
      await admin.disconnect();
    }
  });

  it('indexes an offset every 256 B (infra/kafka/server.properties), so a fetch reads few batch headers to find its offset', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'events', configNames: ['index.interval.bytes'] }] });
      expect(resources[0]!.configEntries.find((e) => e.configName === 'index.interval.bytes')?.configValue).to.equal('256');
    } finally {
      await admin.disconnect();
    }
  });

  it('produces to and consumes from events', async () => {
    const run = uniqueName('itest');
    const admin = kafka.admin();
    await admin.connect();
    const before = await admin.fetchTopicOffsets('events');
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: 'events', acks: -1, messages: [0, 1, 2].map((i) => ({ partition: i * 4, key: run, value: `${run}-${i}` })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: run, maxWaitTimeInMs: 50 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: ['events'], fromBeginning: false });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const { partition, high } of before) consumer.seek({ topic: 'events', partition, offset: high });
    });
    await consumer.run({ eachMessage: async ({ message }) => void (message.key?.toString() === run && seen.push(message.value!.toString())) });
    try {
      await eventually(async () => (seen.length >= 3 ? true : undefined), 20_000, 'the three records');
      expect(seen.sort()).to.deep.equal([`${run}-0`, `${run}-1`, `${run}-2`]);
    } finally {
      await consumer.disconnect();
    }
  });

  it('keeps dead letters it could not send, reports why, and writes them once with a new producer', async () => {
    const source = uniqueName('itest-late');
    const dlq = `${source}.dlq`;
    const letters = new DeadLetterProducer({ brokers: endpoints.kafkaBrokers, clientId: 'itest', sourceTopic: source, dlqTopic: dlq, dlqPartitions: 1, deliveryTimeoutMs: 1_000 });
    letters.send({ partition: 0, offset: 7, value: Buffer.from('late'), reason: 'bad-magic', detail: 'first byte 9' });
    try {
      // The topic does not exist yet: the first producer gives up, the letter waits and the status says why.
      await eventually(async () => (letters.status().healthy ? undefined : letters.status()), 20_000, 'the failed send reported');
      expect(letters.status()).to.include({ healthy: false, buffered: 1, delivered: 0 });
      expect(letters.status().reason).to.match(new RegExp(`kafka dlq: .*${dlq}`));
      await createTopics(kafka, [{ topic: dlq, numPartitions: 1, replicationFactor: 1 }]);
      await letters.flush();
      expect(letters.status()).to.include({ healthy: true, buffered: 0, delivered: 1 });
    } finally {
      await letters.close();
    }
    try {
      const keys = (await readAll(kafka, dlq, 1)).map((r) => r.key);
      expect(keys).to.deep.equal([`${source}/0/7`]);
    } finally {
      await deleteTopics(kafka, [dlq]);
    }
  });

  describe('KafkaSource and DeadLetterProducer', () => {
    const topic = uniqueName('itest-src');
    const dlq = `${topic}.dlq`;
    before(async () => {
      await createTopics(kafka, [{ topic, numPartitions: 2, replicationFactor: 1 }, { topic: dlq, numPartitions: 2, replicationFactor: 1 }]);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, value: `v${i}`, headers: i === 0 ? { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } : {} })) });
      await producer.disconnect();
    });
    after(() => deleteTopics(kafka, [topic, dlq]));

    it('holds new partitions until seek, delivers from there, commits, and writes dead letters with their origin', async () => {
      const groupId = uniqueName('itest-g');
      const source = new KafkaSource({ brokers: endpoints.kafkaBrokers, clientId: 'itest', topic, groupId, log: silentLogger });
      const got = new Map<number, SourceRecord[]>();
      let assigned: number[] = [];
      await source.start({
        assigned: (ps) => (assigned = ps),
        revoked: () => undefined,
        records: (p, rs) => got.set(p, [...(got.get(p) ?? []), ...rs]),
      });
      try {
        await eventually(async () => (assigned.length === 2 ? true : undefined), 20_000, 'the assignment');
        await new Promise((r) => setTimeout(r, 500));
        expect(got.size, 'nothing is delivered before seek').to.equal(0);
        source.seek(0, 3); // partition 0 from offset 3
        source.seek(1, undefined); // partition 1 from its beginning
        await eventually(async () => ((got.get(0)?.length ?? 0) === 7 && (got.get(1)?.length ?? 0) === 10 ? true : undefined), 20_000, 'the records');
        expect(got.get(0)!.map((r) => r.offset)).to.deep.equal([3, 4, 5, 6, 7, 8, 9]);
        expect(got.get(1)![0]!.offset).to.equal(0);
        await source.commit(0, 10);

        const letters = new DeadLetterProducer({ brokers: endpoints.kafkaBrokers, clientId: 'itest', sourceTopic: topic, dlqTopic: dlq, dlqPartitions: 2 });
        letters.send({ partition: 0, offset: 4, value: Buffer.from('junk'), reason: 'bad-magic', detail: 'first byte 1', traceparent: TRACED });
        letters.send({ partition: 1, offset: 2, value: null, reason: 'empty', detail: 'no value' });
        await letters.flush();
        await letters.close();
      } finally {
        await source.stop();
      }
      const admin = kafka.admin();
      await admin.connect();
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      await admin.disconnect();
      expect(committed[0]!.partitions.find((p) => p.partition === 0)!.offset).to.equal('10');

      const dead = (await readAll(kafka, dlq, 2)).map((r) => ({
        dlqPartition: r.partition,
        reason: r.headers[DLQ_REASON],
        partition: r.headers[DLQ_SOURCE_PARTITION],
        offset: r.headers[DLQ_SOURCE_OFFSET],
        traceparent: r.headers[TRACEPARENT],
        value: r.value ?? undefined,
      }));
      // Each source partition's letters go to one dead-letter partition (source partition modulo their count).
      expect(dead.sort((a, b) => a.dlqPartition - b.dlqPartition)).to.deep.equal([
        { dlqPartition: 0, reason: 'bad-magic', partition: '0', offset: '4', traceparent: TRACED, value: 'junk' },
        { dlqPartition: 1, reason: 'empty', partition: '1', offset: '2', traceparent: undefined, value: undefined },
      ]);
    });
  });
});
