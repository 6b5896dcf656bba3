// kafkajs 2.2.4 side of the comparison. Tuning follows kafkajs' consumer docs (eachBatch,
// minBytes/maxBytes/maxBytesPerPartition/maxWaitTimeInMs, partitionsConsumedConcurrently).
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import {
  BROKERS, SETTINGS, TOPICS, latencyStats, nowMs, openLoop, recordKey, recordValue, round, sleep, withTimeout,
} from './common.ts';
import type { ConsumeResult, LatencyResult, RebalanceResult, TxResult } from './common.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const kafka = new Kafka({ clientId: 'rtap-bench-kafkajs', brokers: BROKERS, logLevel: logLevel.NOTHING });

export async function consumeThroughput(topic: string, records: number): Promise<ConsumeResult> {
  const concurrency = Number(process.env.KAFKAJS_CONCURRENCY ?? 1);
  const options = {
    minBytes: 1, maxWaitTimeInMs: 100,
    maxBytes: Number(process.env.KJ_MAX_BYTES ?? 10 * 1024 * 1024),
    maxBytesPerPartition: Number(process.env.KJ_MAX_BYTES_PER_PARTITION ?? 1024 * 1024),
  };
  const consumer = kafka.consumer({
    groupId: `bench-kj-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, ...options,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  let bytes = 0;
  let first = 0;
  const start = nowMs();
  const last = await withTimeout(new Promise<number>((resolve, reject) => {
    consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: concurrency,
      eachBatch: async ({ batch }: EachBatchPayload) => {
        if (count === 0) first = nowMs();
        for (const m of batch.messages) {
          bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0);
          if (++count === records) resolve(nowMs());
        }
      },
    }).catch(reject);
  }), 120_000, 'kafkajs consume');
  await consumer.disconnect();
  return {
    records: count, bytes, totalMs: round(last - start), steadyMs: round(last - first),
    recordsPerSec: Math.round(count / ((last - start) / 1000)),
    steadyRecordsPerSec: Math.round(count / ((last - first) / 1000)),
    settings: `eachBatch (autoResolve), autoCommit off, partitionsConsumedConcurrently ${concurrency}, ${JSON.stringify(options)}`,
  };
}

export async function produceLatency(topic: string): Promise<LatencyResult> {
  // kafkajs: idempotent requires maxInFlightRequests 1 (its docs); acks -1 is required too.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: recordKey(0), value: recordValue(0) }] });
  const samples: number[] = [];
  let errors = 0;
  let firstError = '';
  await openLoop(SETTINGS.latencyRate, SETTINGS.latencySeconds, async (i) => {
    const t0 = nowMs();
    try {
      await producer.send({ topic, acks: -1, messages: [{ key: recordKey(i), value: recordValue(i), headers: { 'rtap-seq': String(i) } }] });
      samples.push(nowMs() - t0);
    } catch (e) {
      errors++;
      firstError ||= (e as Error).message;
    }
  });
  await producer.disconnect();
  return latencyStats(samples, errors, `acks=-1 idempotent=true maxInFlightRequests=1, one send() per record, ${SETTINGS.latencyRate}/s open loop${firstError ? `; first error: ${firstError}` : ''}`);
}

export async function rebalance(topic: string, protocol: 'classic' | 'consumer'): Promise<RebalanceResult> {
  if (protocol === 'consumer') {
    return {
      protocol, supported: false, assignedMs: Number.NaN, bothOwnMs: Number.NaN, resumedMs: Number.NaN, partitionsA: 0, partitionsB: 0,
      note: 'kafkajs 2.2.4 implements only the classic JoinGroup/SyncGroup protocol (no ConsumerGroupHeartbeat API, no groupProtocol option)',
    };
  }
  const groupId = `bench-kj-rb-${randomUUID()}`;
  const owned = new Map<string, number>();
  const make = (name: string): Consumer => {
    const c = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
    c.on(c.events.GROUP_JOIN, (e) => {
      owned.set(name, e.payload.memberAssignment[topic]?.length ?? 0);
      joinedAt.set(name, nowMs());
    });
    return c;
  };
  const joinedAt = new Map<string, number>();
  const producer = kafka.producer();
  await producer.connect();
  let producing = true;
  const background = (async () => {
    let i = 0;
    while (producing) {
      const messages = [];
      for (let k = 0; k < SETTINGS.rebalanceBackgroundRate / 100; k++, i++) messages.push({ key: recordKey(i), value: recordValue(i) });
      await producer.send({ topic, acks: 1, messages });
      await sleep(10);
    }
  })();
  const a = make('a');
  const b = make('b');
  let lastA = 0;
  let lastB = 0;
  try {
    await a.connect();
    await a.subscribe({ topics: [topic], fromBeginning: false });
    await a.run({ eachBatch: async () => { lastA = nowMs(); } });
    const ready = nowMs();
    while (!(owned.get('a') === SETTINGS.partitions && lastA > ready)) {
      if (nowMs() - ready > 30_000) throw new Error(`member A never owned all partitions (owns ${owned.get('a')})`);
      await sleep(5);
    }
    await sleep(1000);

    const t0 = nowMs();
    joinedAt.delete('a');
    await b.connect();
    await b.subscribe({ topics: [topic], fromBeginning: false });
    await b.run({ eachBatch: async () => { lastB = nowMs(); } });
    let resumedAt = 0;
    while (!resumedAt) {
      if (nowMs() - t0 > 30_000) throw new Error(`no rebalance within 30 s (A ${owned.get('a')}, B ${owned.get('b')})`);
      const ja = joinedAt.get('a');
      const jb = joinedAt.get('b');
      if (ja && jb && lastA > ja && lastB > jb) resumedAt = Math.max(lastA, lastB);
      await sleep(2);
    }
    const assignedAt = joinedAt.get('b') ?? Number.NaN;
    const bothAt = Math.max(assignedAt, joinedAt.get('a') ?? Number.NaN);
    return {
      protocol, supported: true,
      assignedMs: round(assignedAt - t0), bothOwnMs: round(bothAt - t0), resumedMs: round(resumedAt - t0),
      partitionsA: owned.get('a') ?? 0, partitionsB: owned.get('b') ?? 0,
      note: 'classic protocol, sessionTimeout 10 s, heartbeatInterval 1 s, RoundRobin assigner',
    };
  } catch (e) {
    return {
      protocol, supported: false, assignedMs: Number.NaN, bothOwnMs: Number.NaN, resumedMs: Number.NaN,
      partitionsA: owned.get('a') ?? 0, partitionsB: owned.get('b') ?? 0, note: (e as Error).message,
    };
  } finally {
    producing = false;
    await background.catch(() => undefined);
    await Promise.allSettled([a.disconnect(), b.disconnect(), producer.disconnect()]);
  }
}

export async function transactions(): Promise<TxResult> {
  const notes: string[] = [];
  const result: TxResult = { idempotent: false, concurrentIdempotentErrors: -1, concurrentIdempotentLost: -1, transactions: false, sendOffsets: false, abortHidden: false, note: '' };
  const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await idem.connect();
    const r = await idem.send({ topic: TOPICS.txIn, acks: -1, messages: [{ key: recordKey(1), value: recordValue(1), partition: 0 }] });
    result.idempotent = r.length > 0 && r.every((x) => x.errorCode === 0);
    notes.push(`idempotent send ok (baseOffset ${r[0]?.baseOffset})`);
    const endOffset = async (): Promise<bigint> =>
      BigInt((await idem.send({ topic: TOPICS.txIn, acks: -1, messages: [{ value: 'probe', partition: 1 }] }))[0]?.baseOffset ?? '-1');
    const before = await endOffset();
    const sends = Array.from({ length: 20 }, (_, i) => idem.send({ topic: TOPICS.txIn, acks: -1, messages: [{ key: recordKey(i), value: recordValue(i), partition: 1 }] }));
    const settled = await Promise.allSettled(sends);
    const failed = settled.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    const written = Number((await endOffset()) - before - 1n);
    result.concurrentIdempotentErrors = failed.length;
    result.concurrentIdempotentLost = 20 - failed.length - written;
    notes.push(`20 concurrent idempotent sends to one partition: ${20 - failed.length} resolved, ${written} records written`);
    if (failed[0]) notes.push(`20 concurrent idempotent sends to one partition: ${failed.length} failed, e.g. ${(failed[0].reason as Error).message}`);
  } catch (e) {
    notes.push(`idempotent: ${(e as Error).message}`);
  } finally {
    await idem.disconnect();
  }

  const groupId = `bench-kj-tx-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const producer = kafka.producer({ transactionalId: `bench-kj-tx-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
  const admin = kafka.admin();
  const outMarker = `tx-${randomUUID()}`;
  try {
    await Promise.all([consumer.connect(), producer.connect(), admin.connect()]);
    await consumer.subscribe({ topics: [TOPICS.txIn], fromBeginning: true });
    const first = await withTimeout(new Promise<{ partition: number; offset: string; key: Buffer | null }>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          consumer.pause([{ topic: TOPICS.txIn }]);
          resolve({ partition, offset: message.offset, key: message.key });
        },
      });
    }), 20_000, 'tx consume');
    const tx = await producer.transaction();
    await tx.send({ topic: TOPICS.txOut, messages: [{ key: first.key, value: `${outMarker}-committed`, partition: 0 }] });
    await tx.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: TOPICS.txIn, partitions: [{ partition: first.partition, offset: String(BigInt(first.offset) + 1n) }] }],
    });
    await tx.commit();
    result.transactions = true;
    // The offsets become visible once the coordinator has written the commit markers: poll briefly.
    let committed: string | undefined;
    for (let tries = 0; tries < 50 && committed !== String(BigInt(first.offset) + 1n); tries++) {
      if (tries) await sleep(100);
      const offsets = await admin.fetchOffsets({ groupId, topics: [TOPICS.txIn] });
      committed = offsets[0]?.partitions.find((p) => p.partition === first.partition)?.offset;
    }
    result.sendOffsets = committed === String(BigInt(first.offset) + 1n);
    notes.push(`consumed ${TOPICS.txIn}[${first.partition}]@${first.offset}, committed offset after tx ${committed}`);
    const aborted = await producer.transaction();
    await aborted.send({ topic: TOPICS.txOut, messages: [{ value: `${outMarker}-aborted`, partition: 0 }] });
    await aborted.abort();
  } catch (e) {
    notes.push(`transactions: ${(e as Error).message}`);
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }

  if (result.transactions) {
    const reader = kafka.consumer({ groupId: `bench-kj-txr-${randomUUID()}`, maxWaitTimeInMs: 100, readUncommitted: false });
    try {
      await reader.connect();
      await reader.subscribe({ topics: [TOPICS.txOut], fromBeginning: true });
      const seen: string[] = [];
      await reader.run({
        eachMessage: async ({ message }) => {
          const v = message.value?.toString() ?? '';
          if (v.startsWith(outMarker)) seen.push(v);
        },
      });
      const end = nowMs() + 8000;
      while (nowMs() < end && !seen.length) await sleep(20);
      await sleep(500);
      result.abortHidden = seen.length === 1 && seen[0] === `${outMarker}-committed`;
      notes.push(`read_committed reader saw [${seen.join(', ')}]`);
    } finally {
      await reader.disconnect();
    }
  }
  result.note = notes.join('; ');
  return result;
}
