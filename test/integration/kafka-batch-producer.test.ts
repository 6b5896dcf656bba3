// The batch producer against the real broker: what it writes is what a kafkajs consumer reads, in
// order, with offsets from 0; a batch sent twice with the same sequence number is written once
// (what makes a retry after a lost acknowledgement exact); bad targets fail with errors that name them.
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaBatchProducer, type PartitionRecord } from '../../transports/kafka/batch-producer.ts';
import { BrokerConnection } from '../../transports/kafka/wire/connection.ts';
import { initProducerId, metadata, produce } from '../../transports/kafka/wire/requests.ts';
import { createTopics, deleteTopics } from '../support/cluster.ts';
import { endpoints, uniqueName } from '../support/endpoints.ts';
import { readAll } from '../support/kafka-read.ts';

const kafka = new Kafka({ clientId: 'itest-batch', brokers: [...endpoints.kafkaBrokers], logLevel: logLevel.NOTHING });

describe('KafkaBatchProducer (real broker)', () => {
  const topic = uniqueName('itest-batch');
  before(() => createTopics(kafka, [{ topic, numPartitions: 3, replicationFactor: 1 }]));
  after(() => deleteTopics(kafka, [topic]).catch(() => undefined));

  it('writes every record once, in order per partition, with keys, values and headers as sent', async () => {
    const producer = new KafkaBatchProducer({ brokers: endpoints.kafkaBrokers, clientId: 'itest-batch' });
    await producer.connect();
    const sent: PartitionRecord[] = [];
    for (let i = 0; i < 900; i++) {
      sent.push({
        partition: i % 3,
        key: i % 10 === 0 ? null : `user-${i}`,
        value: i % 97 === 0 ? null : Buffer.from(`value-${i}-${'x'.repeat(i % 200)}`),
        ...(i % 50 === 0 ? { headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, n: String(i) } } : {}),
      });
    }
    // One send, then nine at once: five in flight, the others waiting for a slot; each partition
    // keeps the order of the calls.
    await producer.send(topic, sent.slice(0, 90));
    await Promise.all(Array.from({ length: 9 }, (_, i) => producer.send(topic, sent.slice(90 + i * 90, 180 + i * 90))));
    await producer.close();

    const got = await readAll(kafka, topic, sent.length);
    expect(got).to.have.length(sent.length);
    for (const p of [0, 1, 2]) {
      const mine = sent.filter((r) => r.partition === p);
      const theirs = got.filter((r) => r.partition === p).sort((a, b) => a.offset - b.offset);
      expect(theirs.map((r) => r.offset), `offsets of partition ${p}`).to.deep.equal(mine.map((_, i) => i));
      expect(theirs.map((r) => [r.key, r.value, r.headers])).to.deep.equal(
        mine.map((r) => [r.key, r.value === null ? null : Buffer.from(r.value).toString(), r.headers ?? {}]),
      );
    }
  });

  it('lets the broker drop a batch resent with the same sequence number (a retry after a lost acknowledgement)', async () => {
    const dedup = uniqueName('itest-batch-dedup');
    await createTopics(kafka, [{ topic: dedup, numPartitions: 1, replicationFactor: 1 }]);
    const [host, port] = endpoints.kafkaBrokers[0]!.split(':');
    const bootstrap = await BrokerConnection.open(host!, Number(port), 'itest-batch', 10_000);
    const meta = await bootstrap.call(metadata([dedup])).finally(() => bootstrap.close());
    const leader = meta.brokers.find((b) => b.id === meta.topics[0]!.partitions[0]!.leader);
    expect(leader, 'the partition has a leader').to.not.equal(undefined);
    const conn = await BrokerConnection.open(leader!.host, leader!.port, 'itest-batch', 10_000);
    try {
      const id = await conn.call(initProducerId());
      expect(id.error).to.equal(0);
      const records = [0, 1, 2].map((i) => ({ key: `k${i}`, value: Buffer.from(`v${i}`) }));
      const request = (baseSequence: number, rs = records) => produce(dedup, [{ partition: 0, records: rs, baseSequence }], id, 10_000);
      const first = await conn.call(request(0));
      const again = await conn.call(request(0));
      const next = await conn.call(request(3, [{ key: 'k3', value: Buffer.from('v3') }]));
      expect(first[0]).to.include({ partition: 0, error: 0 });
      expect(first[0]!.baseOffset).to.equal(0n);
      expect([0, 46], 'the duplicate is acknowledged, not rejected').to.include(again[0]!.error);
      expect(next[0]).to.include({ error: 0 });
      expect(next[0]!.baseOffset, 'the duplicate took no offsets').to.equal(3n);
      const gap = await conn.call(request(9, [{ key: 'k9', value: Buffer.from('v9') }]));
      expect(gap[0]!.error, 'a sequence gap is refused').to.equal(45);
    } finally {
      conn.close();
    }
    const got = await readAll(kafka, dedup, 4);
    expect(got.map((r) => r.value)).to.deep.equal(['v0', 'v1', 'v2', 'v3']);
  });

  it('fails naming the topic when it does not exist, after retrying for its delivery timeout, and stays failed', async () => {
    const retries: string[] = [];
    const producer = new KafkaBatchProducer({ brokers: endpoints.kafkaBrokers, clientId: 'itest-batch', deliveryTimeoutMs: 1_000, onRetry: (e) => retries.push(e.message) });
    await producer.connect();
    const missing = uniqueName('itest-batch-missing');
    const started = Date.now();
    const err = await producer.send(missing, [{ partition: 1, key: null, value: Buffer.from('x') }]).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.include(`produce to ${missing} failed for 1000 ms`).and.to.include('not available');
    expect(Date.now() - started).to.be.at.least(1_000);
    expect(retries.length, 'each retry is reported').to.be.at.least(2);
    const later = await producer.send(topic, [{ partition: 0, key: null, value: Buffer.from('y') }]).then(() => undefined, (e: unknown) => e);
    expect((later as Error).message).to.include('the producer failed earlier');
    await producer.close();
  });

  it('fails naming the partition the topic lacks', async () => {
    const producer = new KafkaBatchProducer({ brokers: endpoints.kafkaBrokers, clientId: 'itest-batch', deliveryTimeoutMs: 500 });
    await producer.connect();
    const err = await producer.send(topic, [{ partition: 7, key: null, value: Buffer.from('x') }]).then(() => undefined, (e: unknown) => e);
    await producer.close();
    expect((err as Error).message).to.include(`topic ${topic} has 3 partitions, no partition 7`);
  });

  it('reports a broker it cannot reach after bounded retries', async () => {
    const producer = new KafkaBatchProducer({ brokers: ['127.0.0.1:1'], clientId: 'itest-batch', deliveryTimeoutMs: 500 });
    const err = await producer.connect().then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.match(/connect failed after \d+ attempts: kafka: cannot connect to 127\.0\.0\.1:1/);
  });

  it('abort() ends its retries at once: the pending call rejects and later sends fail', async () => {
    const producer = new KafkaBatchProducer({ brokers: ['127.0.0.1:1'], clientId: 'itest-batch', deliveryTimeoutMs: 60_000 });
    const connecting = producer.connect().then(() => undefined, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    const abortedAt = Date.now();
    producer.abort();
    const err = await connecting;
    expect(Date.now() - abortedAt).to.be.below(500);
    expect((err as Error).message).to.match(/^kafka: the producer was stopped while retrying \(kafka: cannot connect to 127\.0\.0\.1:1/);
    const later = await producer.send(topic, [{ partition: 0, key: null, value: Buffer.from('x') }]).then(() => undefined, (e: unknown) => e);
    expect((later as Error).message).to.include('the producer was stopped before its sends were acknowledged');
  });
});
