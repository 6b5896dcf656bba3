// The kafkajs calls the Kafka bridge needs, exercised against the local broker so the notes in
// docs/decisions/0001-kafka-client.md are verified, not recalled:
//   node --import tsx loadtest/kafka-clients/api-notes.ts
// admin topic create → producer with headers → group join with manual commit → seek on
// assignment → pause/resume one partition → commit after "snapshot" → revocation on rebalance.
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import type { EachBatchPayload } from 'kafkajs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const TOPIC = 'bench.kc.api-notes';
const GROUP = `bench-kj-api-${Date.now()}`;
const SEEK_TO = 5n; // pretend the last durable snapshot covered offsets < 5 on every partition
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (s: string): void => { process.stdout.write(`${s}\n`); };

const kafka = new Kafka({ clientId: 'rtap-api-notes', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();

// 1. Admin: create the topic (idempotent: createTopics resolves false when it already exists).
const created = await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 12, replicationFactor: 1 }], waitForLeaders: true });
log(`createTopics → ${created}`);

try {
  // 2. Producer with headers, acks=all, idempotent.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const messages = Array.from({ length: 240 }, (_, i) => ({
    partition: i % 12, key: `k${i}`, value: JSON.stringify({ i }), headers: { 'rtap-schema': '7', 'rtap-trace': `t${i}` },
  }));
  const acks = await producer.send({ topic: TOPIC, acks: -1, messages });
  log(`send → ${acks.length} partition acks, e.g. ${JSON.stringify(acks[0])}`);

  // 3. Consumer group with manual commit, seek on assignment, pause/resume one partition.
  const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
  const seen = new Map<number, bigint[]>();
  const events: string[] = [];
  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = payload.memberAssignment[TOPIC] ?? [];
    events.push(`GROUP_JOIN ${assigned.length} partitions`);
    // Seek on assignment: restore each partition from its snapshot offset.
    for (const partition of assigned) consumer.seek({ topic: TOPIC, partition, offset: String(SEEK_TO) });
  });
  consumer.on(consumer.events.REBALANCING, () => { events.push('REBALANCING (all partitions revoked: eager classic protocol)'); });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  let pausedAtCount = -1;
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }: EachBatchPayload) => {
      for (const m of batch.messages) {
        if (!isRunning() || isStale()) break;
        const list = seen.get(batch.partition) ?? [];
        list.push(BigInt(m.offset));
        seen.set(batch.partition, list);
        assert.equal(m.headers?.['rtap-schema']?.toString(), '7');
        resolveOffset(m.offset); // marks progress for this batch only; nothing is committed
        // The mailbox high-water mark: partition 0 stops after 3 records.
        if (batch.partition === 0 && list.length === 3) {
          pause(); // pauses this topic-partition only; same as consumer.pause([{ topic, partitions: [0] }])
          pausedAtCount = list.length;
          break;
        }
      }
      await heartbeat();
    },
  });

  const waitFor = async (what: string, cond: () => boolean, ms = 15_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timeout waiting for ${what}`);
      await sleep(20);
    }
  };
  await waitFor('the other 11 partitions', () => [...Array(11).keys()].every((i) => (seen.get(i + 1)?.length ?? 0) === 15));
  for (const [p, offs] of seen) assert.equal(offs[0], SEEK_TO, `partition ${p} must start at the seek offset`);
  await sleep(500);
  assert.equal(seen.get(0)?.length, pausedAtCount, 'partition 0 must not deliver while paused');
  log(`seek on GROUP_JOIN: every partition started at offset ${SEEK_TO}; partition 0 paused after ${pausedAtCount} records, paused() → ${JSON.stringify(consumer.paused())}`);

  consumer.resume([{ topic: TOPIC, partitions: [0] }]);
  await waitFor('partition 0 after resume', () => seen.get(0)?.length === 15);
  log('resume([{ topic, partitions: [0] }]) → partition 0 delivered the rest');

  // 4. Commit only after the snapshot is durable: next offset to read = last processed + 1.
  const toCommit = [...seen].map(([partition, offs]) => ({ topic: TOPIC, partition, offset: String((offs.at(-1) ?? 0n) + 1n) }));
  await consumer.commitOffsets(toCommit);
  const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  const c0 = committed[0]?.partitions.find((p) => p.partition === 0)?.offset;
  assert.equal(c0, '20');
  log(`commitOffsets → fetchOffsets partition 0 = ${c0}`);

  // 5. A second member joins: the first sees REBALANCING (revocation point), then GROUP_JOIN.
  const second = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
  await second.connect();
  await second.subscribe({ topics: [TOPIC] });
  await second.run({ autoCommit: false, eachBatch: async () => undefined });
  await waitFor('rebalance', () => assigned.length === 6);
  log(`events on the first member: ${events.join(' → ')}`);
  await Promise.all([second.disconnect(), consumer.disconnect(), producer.disconnect()]);
} finally {
  await admin.deleteTopics({ topics: [TOPIC] });
  await admin.disconnect();
}
log('all kafkajs API notes verified');
