// @platformatic/kafka 1.x side of the comparison. Tuning follows the package's own option docs
// (node_modules/@platformatic/kafka/dist/clients/consumer/options.js defaults, README "Performance").
import { randomUUID } from 'node:crypto';
import { Admin, Consumer, GroupProtocols, ProduceAcks, Producer } from '@platformatic/kafka';
import type { Message, MessagesStream } from '@platformatic/kafka';
import {
  BROKERS, SETTINGS, TOPICS, latencyStats, nowMs, openLoop, recordKey, recordValue, round, sleep, withTimeout,
} from './common.ts';
import type { ConsumeResult, LatencyResult, RebalanceResult, TxResult } from './common.ts';

const CLIENT_ID = 'rtap-bench-platformatic';
// With the default (Buffer) serializers header keys must be Buffers: a plain-object header map
// ({ 'k': v }) type-checks but makes send() hang without an error (seen with 1.35.0).
const SEQ_HEADER = Buffer.from('rtap-seq');

export async function createTopics(names: readonly string[], partitions: number): Promise<void> {
  const admin = new Admin({ clientId: CLIENT_ID, bootstrapBrokers: BROKERS });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((n) => !existing.has(n));
    if (missing.length) await admin.createTopics({ topics: missing, partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

export async function deleteTopics(names: readonly string[]): Promise<void> {
  const admin = new Admin({ clientId: CLIENT_ID, bootstrapBrokers: BROKERS });
  try {
    const existing = new Set(await admin.listTopics());
    const present = names.filter((n) => existing.has(n));
    if (present.length) await admin.deleteTopics({ topics: present });
  } finally {
    await admin.close();
  }
}

/** Pre-produces `count` records (acks=1, 5,000 per request, 4 requests in flight). */
export async function preProduce(topic: string, count: number): Promise<number> {
  const producer = new Producer({ clientId: CLIENT_ID, bootstrapBrokers: BROKERS, acks: ProduceAcks.LEADER });
  const start = nowMs();
  try {
    const batch = 5000;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + batch);
        const messages = [];
        for (let i = from; i < next; i++) messages.push({ topic, key: recordKey(i), value: recordValue(i) });
        await producer.send({ messages });
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  } finally {
    await producer.close();
  }
  return count / ((nowMs() - start) / 1000);
}

export async function consumeThroughput(topic: string, records: number): Promise<ConsumeResult> {
  // maxWaitTime bounds an empty fetch; minBytes=1 answers as soon as there is data; 10 MiB per
  // fetch (the default) and 1 MiB per partition; the stream's highWaterMark (objects buffered)
  // stays at the package default 1024.
  const options = {
    maxWaitTime: 100, minBytes: 1,
    maxBytes: Number(process.env.PL_MAX_BYTES ?? 10 * 1024 * 1024),
    maxBytesPerPartition: Number(process.env.PL_MAX_BYTES_PER_PARTITION ?? 1024 * 1024),
    highWaterMark: Number(process.env.PL_HIGH_WATER_MARK ?? 1024),
  };
  const consumer = new Consumer({
    clientId: CLIENT_ID, bootstrapBrokers: BROKERS, groupId: `bench-pl-${randomUUID()}`, autocommit: false,
    sessionTimeout: 10_000, heartbeatInterval: 1000, ...options,
  });
  let count = 0;
  let bytes = 0;
  let first = 0;
  const start = nowMs();
  const autocommit = process.env.PL_AUTOCOMMIT ? Number(process.env.PL_AUTOCOMMIT) : false;
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit });
  const last = await withTimeout(new Promise<number>((resolve, reject) => {
    stream.on('data', (m: Message) => {
      if (count === 0) first = nowMs();
      bytes += m.value.length + m.key.length;
      if (++count === records) resolve(nowMs());
    });
    stream.on('error', reject);
  }), 120_000, 'platformatic consume');
  await stream.close();
  await consumer.close(true);
  return {
    records: count, bytes, totalMs: round(last - start), steadyMs: round(last - first),
    recordsPerSec: Math.round(count / ((last - start) / 1000)),
    steadyRecordsPerSec: Math.round(count / ((last - first) / 1000)),
    settings: `stream "data" handler, autocommit ${String(autocommit)}, ${JSON.stringify(options)}`,
  };
}

/**
 * `serialized` (default): one send() in flight, later sends queue behind it (what kafkajs'
 * maxInFlightRequests=1 does internally). `concurrent`: every send() is issued at once — with
 * idempotent=true 1.35.0 reuses the partition's sequence number for sends that overlap (it only
 * advances the sequence when a response arrives), the broker answers OUT_OF_ORDER_SEQUENCE_NUMBER
 * and the producer keeps failing afterwards.
 */
export async function produceLatency(topic: string, mode: 'serialized' | 'concurrent' = 'serialized'): Promise<LatencyResult> {
  const producer = new Producer({
    clientId: CLIENT_ID, bootstrapBrokers: BROKERS, acks: ProduceAcks.ALL, idempotent: true,
  });
  // Connect + metadata + InitProducerId before the clock starts.
  await producer.send({ messages: [{ topic, key: recordKey(0), value: recordValue(0) }] });
  const samples: number[] = [];
  let errors = 0;
  let firstError = '';
  let chain: Promise<unknown> = Promise.resolve();
  await openLoop(SETTINGS.latencyRate, SETTINGS.latencySeconds, async (i) => {
    const t0 = nowMs();
    const send = (): Promise<unknown> =>
      producer.send({ messages: [{ topic, key: recordKey(i), value: recordValue(i), headers: new Map([[SEQ_HEADER, Buffer.from(String(i))]]) }] });
    try {
      if (mode === 'serialized') {
        const mine = chain.then(send, send);
        chain = mine.catch(() => undefined);
        await mine;
      } else {
        await send();
      }
      samples.push(nowMs() - t0);
    } catch (e) {
      errors++;
      firstError ||= describeError(e);
    }
  });
  await producer.close();
  return latencyStats(samples, errors, `acks=all idempotent=true, ${mode} send() per record, ${SETTINGS.latencyRate}/s open loop${firstError ? `; first error: ${firstError}` : ''}`);
}

function describeError(e: unknown): string {
  const err = e as Error & { errors?: unknown[]; code?: string };
  const inner = (err.errors ?? []).map((x) => describeError(x)).join('; ');
  return `${err.code ?? ''} ${err.message}${inner ? ` [${inner}]` : ''}`.trim().slice(0, 400);
}

type PlConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;

function owned(c: PlConsumer, topic: string): number {
  return c.assignments?.find((a) => a.topic === topic)?.partitions.length ?? 0;
}

export async function rebalance(topic: string, protocol: 'classic' | 'consumer'): Promise<RebalanceResult> {
  const groupId = `bench-pl-rb-${protocol}-${randomUUID()}`;
  const make = (name: string): PlConsumer =>
    protocol === 'consumer'
      ? new Consumer({ clientId: `${CLIENT_ID}-${name}`, bootstrapBrokers: BROKERS, groupId, groupProtocol: GroupProtocols.CONSUMER, autocommit: 500, maxWaitTime: 100 })
      : new Consumer({ clientId: `${CLIENT_ID}-${name}`, bootstrapBrokers: BROKERS, groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, autocommit: 500, maxWaitTime: 100 });

  const producer = new Producer({ clientId: CLIENT_ID, bootstrapBrokers: BROKERS, acks: ProduceAcks.LEADER });
  let producing = true;
  const background = (async () => {
    let i = 0;
    while (producing) {
      const messages = [];
      for (let k = 0; k < SETTINGS.rebalanceBackgroundRate / 100; k++, i++) messages.push({ topic, key: recordKey(i), value: recordValue(i) });
      await producer.send({ messages });
      await sleep(10);
    }
  })();

  const a = make('a');
  const b = make('b');
  let lastA = 0;
  let lastB = 0;
  const streams: MessagesStream<Buffer, Buffer, Buffer, Buffer>[] = [];
  try {
    const sa = await a.consume({ topics: [topic], mode: 'latest' });
    streams.push(sa);
    sa.on('data', () => { lastA = nowMs(); });
    // Steady state: A owns all partitions and receives records.
    const ready = nowMs();
    while (!(owned(a, topic) === SETTINGS.partitions && lastA > ready)) {
      if (nowMs() - ready > 30_000) throw new Error(`member A never owned all partitions (owns ${owned(a, topic)})`);
      await sleep(5);
    }
    await sleep(1000);

    const t0 = nowMs();
    const joined = b.consume({ topics: [topic], mode: 'latest' });
    let assignedAt = 0;
    let bothAt = 0;
    let resumedAt = 0;
    let sb: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
    void joined.then((s) => {
      sb = s;
      streams.push(s);
      s.on('data', () => { lastB = nowMs(); });
    });
    while (!resumedAt) {
      const now = nowMs();
      if (now - t0 > 30_000) throw new Error(`no rebalance within 30 s (A ${owned(a, topic)}, B ${owned(b, topic)})`);
      if (!assignedAt && owned(b, topic) > 0) assignedAt = now;
      if (!bothAt && owned(b, topic) > 0 && owned(a, topic) > 0 && owned(a, topic) + owned(b, topic) === SETTINGS.partitions) bothAt = now;
      if (bothAt && sb && lastB > t0 && lastA > bothAt) resumedAt = Math.max(lastA, lastB);
      await sleep(2);
    }
    return {
      protocol, supported: true,
      assignedMs: round(assignedAt - t0), bothOwnMs: round(bothAt - t0), resumedMs: round(resumedAt - t0),
      partitionsA: owned(a, topic), partitionsB: owned(b, topic),
      note: protocol === 'classic'
        ? 'classic protocol, sessionTimeout 10 s, heartbeatInterval 1 s, roundrobin'
        : 'KIP-848 consumer protocol, server-side assignor (uniform), broker heartbeat interval (5 s default)',
    };
  } catch (e) {
    return {
      protocol, supported: false, assignedMs: Number.NaN, bothOwnMs: Number.NaN, resumedMs: Number.NaN,
      partitionsA: owned(a, topic), partitionsB: owned(b, topic), note: (e as Error).message,
    };
  } finally {
    producing = false;
    await background.catch(() => undefined);
    for (const s of streams) await s.close().catch(() => undefined);
    await Promise.allSettled([a.close(true), b.close(true), producer.close()]);
  }
}

/**
 * Idempotent producer, then a real consume-transform-produce transaction: consume one record from
 * tx-in, produce to tx-out and commit the consumed offset in the same transaction; then a second,
 * aborted transaction whose record a read_committed consumer must not see.
 */
export async function transactions(): Promise<TxResult> {
  const notes: string[] = [];
  const result: TxResult = { idempotent: false, concurrentIdempotentErrors: -1, concurrentIdempotentLost: -1, transactions: false, sendOffsets: false, abortHidden: false, note: '' };
  const idem = new Producer({ clientId: CLIENT_ID, bootstrapBrokers: BROKERS, idempotent: true, acks: ProduceAcks.ALL });
  try {
    const info = await idem.initIdempotentProducer({});
    await idem.send({ messages: [{ topic: TOPICS.txIn, key: recordKey(1), value: recordValue(1), partition: 0 }] });
    result.idempotent = info.producerId >= 0n;
    notes.push(`idempotent producerId=${info.producerId}`);
    // Probes through a separate plain producer: the log end offset before and after.
    const probe = new Producer({ clientId: CLIENT_ID, bootstrapBrokers: BROKERS, acks: ProduceAcks.ALL });
    const endOffset = async (): Promise<bigint> => (await probe.send({ messages: [{ topic: TOPICS.txIn, value: Buffer.from('probe'), partition: 1 }] })).offsets?.[0]?.offset ?? -1n;
    const before = await endOffset();
    const sends = Array.from({ length: 20 }, (_, i) => idem.send({ messages: [{ topic: TOPICS.txIn, key: recordKey(i), value: recordValue(i), partition: 1 }] }));
    const settled = await Promise.allSettled(sends);
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    const written = Number((await endOffset()) - before - 1n);
    await probe.close();
    result.concurrentIdempotentErrors = failed.length;
    result.concurrentIdempotentLost = 20 - failed.length - written;
    notes.push(`20 concurrent idempotent sends to one partition: ${20 - failed.length} resolved, ${written} records written`);
    try {
      await idem.send({ messages: [{ topic: TOPICS.txIn, value: Buffer.from('after'), partition: 1 }] });
      notes.push('next send after that: ok');
    } catch (e) {
      notes.push(`next send after that: ${describeError(e)}`);
    }
    if (failed[0]) notes.push(`20 concurrent idempotent sends to one partition: ${failed.length} failed, e.g. ${describeError(failed[0].reason)}`);
  } catch (e) {
    notes.push(`idempotent: ${(e as Error).message}`);
  } finally {
    await idem.close();
  }

  const groupId = `bench-pl-tx-${randomUUID()}`;
  const consumer = new Consumer({ clientId: CLIENT_ID, bootstrapBrokers: BROKERS, groupId, autocommit: false, maxWaitTime: 100, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const producer = new Producer({
    clientId: CLIENT_ID, bootstrapBrokers: BROKERS, idempotent: true, acks: ProduceAcks.ALL, transactionalId: `bench-pl-tx-${randomUUID()}`,
  });
  const outMarker = `tx-${randomUUID()}`;
  try {
    const stream = await consumer.consume({ topics: [TOPICS.txIn], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
    const first = await withTimeout(new Promise<Message>((resolve) => stream.once('data', resolve)), 20_000, 'tx consume');
    stream.pause();
    const tx = await producer.beginTransaction();
    await tx.send({ messages: [{ topic: TOPICS.txOut, key: first.key, value: Buffer.from(`${outMarker}-committed`), partition: 0 }] });
    await tx.addConsumer(consumer);
    await tx.addOffset(first);
    await tx.commit();
    result.transactions = true;
    // The offsets become visible once the coordinator has written the commit markers: poll briefly.
    let offset: bigint | undefined;
    for (let tries = 0; tries < 50 && offset !== first.offset + 1n; tries++) {
      if (tries) await sleep(100);
      const committed = await consumer.listCommittedOffsets({ topics: [{ topic: TOPICS.txIn, partitions: [first.partition] }] });
      offset = committed.get(TOPICS.txIn)?.[first.partition];
    }
    result.sendOffsets = offset === first.offset + 1n;
    notes.push(`consumed ${TOPICS.txIn}[${first.partition}]@${first.offset}, committed offset after tx ${offset}`);

    const aborted = await producer.beginTransaction();
    await aborted.send({ messages: [{ topic: TOPICS.txOut, value: Buffer.from(`${outMarker}-aborted`), partition: 0 }] });
    await aborted.abort();
    await stream.close();
  } catch (e) {
    notes.push(`transactions: ${(e as Error).message}`);
  } finally {
    await Promise.allSettled([producer.close(), consumer.close(true)]);
  }

  // read_committed (the package default isolation level) must see the committed record only.
  if (result.transactions) {
    const reader = new Consumer({ clientId: CLIENT_ID, bootstrapBrokers: BROKERS, groupId: `bench-pl-txr-${randomUUID()}`, autocommit: false, maxWaitTime: 100 });
    try {
      const rs = await reader.consume({ topics: [TOPICS.txOut], mode: 'earliest', autocommit: false });
      const seen: string[] = [];
      const end = nowMs() + 3000;
      rs.on('data', (m: Message) => {
        const v = m.value.toString();
        if (v.startsWith(outMarker)) seen.push(v);
      });
      while (nowMs() < end && !seen.length) await sleep(20);
      await sleep(500);
      await rs.close();
      result.abortHidden = seen.length === 1 && seen[0] === `${outMarker}-committed`;
      notes.push(`read_committed reader saw [${seen.join(', ')}]`);
    } finally {
      await reader.close(true);
    }
  }
  result.note = notes.join('; ');
  return result;
}
