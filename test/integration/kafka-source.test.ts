// KafkaSource against the real broker: the consumer group protocol of KIP-848 (partitions move
// between members only after their old owner let them go), and what a fetch may hold besides plain
// records (gzip batches, aborted transactions).
import { expect } from 'chai';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { KafkaSource, type SourceHandlers } from '../../transports/kafka/kafka-source.ts';
import { silentLogger } from '../../runtime/index.ts';
import type { SourceRecord } from '../../actors/partition/ports.ts';
import { createTopics, deleteTopics } from '../support/cluster.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';

const kafka = new Kafka({ clientId: 'itest-source', brokers: [...endpoints.kafkaBrokers], logLevel: logLevel.NOTHING });

/** A started source that reads every partition it is given from its beginning, and what it saw. */
class Member {
  readonly source: KafkaSource;
  readonly owned = new Set<number>();
  readonly records: { partition: number; offset: number; value: string }[] = [];
  readonly events: string[] = [];

  constructor(
    readonly name: string,
    topic: string,
    groupId: string,
    private readonly revokeDelayMs = 0,
  ) {
    this.source = new KafkaSource({ brokers: endpoints.kafkaBrokers, clientId: name, topic, groupId, log: silentLogger, fetchMaxWaitMs: 50 });
  }

  start(log: string[]): Promise<void> {
    const handlers: SourceHandlers = {
      assigned: (ps) => {
        log.push(`${this.name} assigned ${ps.join(',')}`);
        for (const p of ps) {
          this.owned.add(p);
          this.source.seek(p, undefined);
        }
      },
      revoked: async (ps) => {
        log.push(`${this.name} revoking ${ps.join(',')}`);
        for (const p of ps) this.owned.delete(p);
        await new Promise((r) => setTimeout(r, this.revokeDelayMs));
        log.push(`${this.name} revoked ${ps.join(',')}`);
      },
      records: (partition: number, rs: SourceRecord[]) => {
        for (const r of rs) this.records.push({ partition, offset: r.offset, value: Buffer.from(r.value!).toString() });
      },
    };
    return this.source.start(handlers);
  }
}

describe('KafkaSource (real broker)', () => {
  const topics: string[] = [];
  after(() => deleteTopics(kafka, topics).catch(() => undefined));

  async function topicWith(partitions: number): Promise<string> {
    const topic = uniqueName('itest-cg');
    topics.push(topic);
    await createTopics(kafka, [{ topic, numPartitions: partitions, replicationFactor: 1 }]);
    return topic;
  }

  it('shares the partitions between members and hands a partition on only after its owner let it go', async () => {
    const topic = await topicWith(4);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 4, value: `v${i}` })) });
    const groupId = uniqueName('itest-cg');
    const log: string[] = [];
    const a = new Member('a', topic, groupId, 1_000);
    const b = new Member('b', topic, groupId);
    await a.start(log);
    try {
      await eventually(async () => (a.owned.size === 4 && a.records.length === 40 ? true : undefined), 30_000, 'a owning and reading all four partitions');
      await b.start(log);
      try {
        await eventually(async () => (a.owned.size === 2 && b.owned.size === 2 ? true : undefined), 30_000, 'two partitions each');
        const moved = [...b.owned];
        // b was given a partition only after a had finished revoking it (a takes 1 s to revoke).
        for (const p of moved) {
          const revokedAt = log.findIndex((e) => e.startsWith('a revoked') && e.split(' ')[2]!.split(',').includes(String(p)));
          const assignedAt = log.findIndex((e) => e.startsWith('b assigned') && e.split(' ')[2]!.split(',').includes(String(p)));
          expect(revokedAt, `a revoked ${p} (${log.join('; ')})`).to.be.greaterThan(-1);
          expect(assignedAt, `b was assigned ${p} after a revoked it (${log.join('; ')})`).to.be.greaterThan(revokedAt);
        }
        await eventually(async () => (b.records.length === 20 ? true : undefined), 30_000, 'b reading its two partitions from their beginning');
        expect(new Set(b.records.map((r) => r.partition))).to.deep.equal(new Set(moved));
        expect(b.records.map((r) => r.value).sort()).to.deep.equal(a.records.filter((r) => moved.includes(r.partition)).map((r) => r.value).sort());

        // New records go to whoever owns their partition now, once.
        await producer.send({ topic, messages: Array.from({ length: 8 }, (_, i) => ({ partition: i % 4, value: `w${i}` })) });
        await eventually(async () => (a.records.length === 44 && b.records.length === 24 ? true : undefined), 30_000, 'the new records, each read once');
      } finally {
        await b.source.stop();
      }
      // b left the group: its partitions come back to a.
      await eventually(async () => (a.owned.size === 4 ? true : undefined), 30_000, 'a owning all four again after b left');
      await a.source.commit(0, 5);
      const admin = kafka.admin();
      await admin.connect();
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      await admin.disconnect();
      expect(committed[0]!.partitions.find((p) => p.partition === 0)!.offset).to.equal('5');
    } finally {
      await a.source.stop();
      await producer.disconnect();
    }
  });

  it('reads gzip batches, and skips the records of aborted transactions but not of committed ones', async () => {
    const topic = await topicWith(1);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, compression: CompressionTypes.GZIP, messages: [{ value: 'gz0' }, { value: 'gz1' }, { value: 'gz2' }] });
    const tx = kafka.producer({ transactionalId: uniqueName('itest-tx'), idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    const aborted = await tx.transaction();
    await aborted.send({ topic, messages: [{ value: 'aborted0' }, { value: 'aborted1' }] });
    await aborted.abort();
    const committed = await tx.transaction();
    await committed.send({ topic, messages: [{ value: 'committed0' }] });
    await committed.commit();
    await plain.send({ topic, messages: [{ value: 'last' }] });
    await Promise.all([plain.disconnect(), tx.disconnect()]);

    const m = new Member('m', topic, uniqueName('itest-cg'));
    await m.start([]);
    try {
      await eventually(async () => (m.records.some((r) => r.value === 'last') ? true : undefined), 30_000, 'the last record');
      expect(m.records.map((r) => r.value)).to.deep.equal(['gz0', 'gz1', 'gz2', 'committed0', 'last']);
      const offsets = m.records.map((r) => r.offset);
      expect(offsets).to.deep.equal([...offsets].sort((x, y) => x - y));
    } finally {
      await m.source.stop();
    }
  });
});
