// The fetcher's bookkeeping against a scripted cluster of two brokers that decodes the real Fetch and
// ListOffsets requests and answers in the real wire format: every record delivered once and in
// order across pauses and leadership moves. (The real broker: test/integration/kafka-source.test.ts.)
import { expect } from 'chai';
import { silentLogger } from '../../runtime/index.ts';
import type { TopicLayout } from './broker-pool.ts';
import { EARLIEST, RecordFetcher, type FetchPool } from './record-fetcher.ts';
import type { BrokerConnection } from './wire/connection.ts';
import { Reader, Writer } from './wire/protocol.ts';
import { writeRecordBatch } from './wire/record-batch.ts';
import type { ApiCall } from './wire/requests.ts';

const TOPIC = 't';
const NOT_LEADER = 6;

class ScriptedCluster implements FetchPool {
  /** Leader broker per partition; tests move them. */
  leaders = [1, 1];
  /** The records of each partition (offset = index), from `logStart` on. */
  readonly logs: string[][] = [[], []];
  logStart = 0;
  /** How long each fetch answer takes. */
  answerDelayMs = 0;
  /** Partitions asked for in each fetch, per broker. */
  readonly fetches: { broker: number; partitions: number[] }[] = [];

  topic(): Promise<TopicLayout> {
    return Promise.resolve({ id: '0'.repeat(32), leaders: [...this.leaders] });
  }

  forgetTopic(): void {}

  drop(): void {}

  connection(id: number): Promise<BrokerConnection> {
    // Only call() is used; the rest of BrokerConnection stays out of the fake.
    return Promise.resolve({ call: <T>(api: ApiCall<T>) => this.answer(id, api) } as unknown as BrokerConnection);
  }

  private async answer<T>(broker: number, api: ApiCall<T>): Promise<T> {
    const req = new Writer();
    api.body(req);
    const r = new Reader(req.finish());
    const w = new Writer();
    if (api.key === 2) {
      // ListOffsets v4: earliest of each partition.
      r.int32();
      r.int8();
      w.int32(0).int32(1).string(TOPIC);
      r.array(() => r.string());
      const asked = r.array(() => [r.int32(), r.int32(), r.int64()] as const);
      w.array(asked, ([p]) => w.int32(p).int16(0).int64(-1n).int64(BigInt(this.logStart)).int32(0));
      return api.parse(new Reader(w.finish()));
    }
    expect(api.key, 'a fetch').to.equal(1);
    r.int32();
    r.int32();
    r.int32();
    r.int32();
    r.int8();
    r.int32();
    r.int32();
    r.int32(); // one topic
    r.string();
    const asked = r.array(() => {
      const p = r.int32();
      r.int32();
      const offset = Number(r.int64());
      r.int64();
      r.int32();
      return { p, offset };
    });
    this.fetches.push({ broker, partitions: asked.map((a) => a.p) });
    const answers = asked.map(({ p, offset }) => {
      if (this.leaders[p] !== broker) return { p, error: NOT_LEADER, records: null };
      const values = this.logs[p]!.slice(offset, offset + 3); // small answers: many fetches
      if (values.length === 0) return { p, error: 0, records: null };
      const b = new Writer();
      writeRecordBatch(b, values.map((v) => ({ key: null, value: Buffer.from(v) })), 0, { producerId: -1n, producerEpoch: 0, baseSequence: 0 });
      const bytes = Buffer.from(b.finish());
      bytes.writeBigInt64BE(BigInt(offset), 0);
      return { p, error: 0, records: bytes };
    });
    // An idle broker holds the fetch for a while (its max wait), as Kafka does.
    const idle = answers.every((a) => a.records === null && a.error === 0);
    if (idle || this.answerDelayMs > 0) await new Promise((res) => setTimeout(res, Math.max(this.answerDelayMs, idle ? 5 : 0)));
    w.int32(0).int16(0).int32(0).int32(1).string(TOPIC);
    w.array(answers, (a) => {
      w.int32(a.p).int16(a.error).int64(BigInt(this.logs[a.p]!.length)).int64(BigInt(this.logs[a.p]!.length)).int64(0n).int32(-1).int32(-1);
      if (a.records === null) w.int32(-1);
      else {
        w.int32(a.records.length);
        w.ensure(a.records.length);
        w.buf.set(a.records, w.offset);
        w.offset += a.records.length;
      }
    });
    return api.parse(new Reader(w.finish()));
  }
}

async function until(what: string, done: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('RecordFetcher (scripted cluster)', () => {
  let fetcher: RecordFetcher | undefined;
  afterEach(async () => void (await fetcher?.close()));

  function start(cluster: ScriptedCluster): Map<number, string[]> {
    const got = new Map<number, string[]>();
    fetcher = new RecordFetcher(cluster, TOPIC, { maxWaitMs: 5, minBytes: 1, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20 }, (p, records) => got.set(p, [...(got.get(p) ?? []), ...records.map((r) => r.value!.toString())]), silentLogger);
    return got;
  }

  it('reads each partition once, in order, from where it was told (or its earliest record)', async () => {
    const cluster = new ScriptedCluster();
    cluster.logs[0] = Array.from({ length: 20 }, (_, i) => `a${i}`);
    cluster.logs[1] = Array.from({ length: 20 }, (_, i) => `b${i}`);
    cluster.logStart = 4;
    const got = start(cluster);
    fetcher!.start(0, 7);
    fetcher!.start(1, EARLIEST);
    await until('both partitions read', () => got.get(0)?.length === 13 && got.get(1)?.length === 16);
    expect(got.get(0)).to.deep.equal(cluster.logs[0].slice(7));
    expect(got.get(1)).to.deep.equal(cluster.logs[1].slice(4));
  });

  it('leaves a paused partition out of its fetches and goes on where it stopped when resumed', async () => {
    const cluster = new ScriptedCluster();
    cluster.logs[0] = Array.from({ length: 30 }, (_, i) => `a${i}`);
    const got = start(cluster);
    fetcher!.start(0, 0);
    await until('some records', () => (got.get(0)?.length ?? 0) >= 3);
    fetcher!.pause(0);
    const seen = got.get(0)!.length;
    const fetchesAtPause = cluster.fetches.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(got.get(0)!.length, 'nothing delivered while paused (one answer may have been in flight)').to.be.at.most(seen + 3);
    expect(cluster.fetches.slice(fetchesAtPause + 1).every((f) => !f.partitions.includes(0)), 'no fetch asks for a paused partition').to.equal(true);
    fetcher!.resume(0);
    await until('the rest', () => got.get(0)!.length === 30);
    expect(got.get(0)).to.deep.equal(cluster.logs[0]);
  });

  it('follows a partition whose leader moves to a broker it had no fetch loop for, while the old one keeps another partition', async () => {
    const cluster = new ScriptedCluster();
    cluster.logs[0] = Array.from({ length: 40 }, (_, i) => `a${i}`);
    cluster.logs[1] = Array.from({ length: 6 }, (_, i) => `b${i}`);
    const got = start(cluster);
    fetcher!.start(0, 0);
    fetcher!.start(1, 0);
    await until('partition 1 read so far', () => got.get(1)?.length === 6);
    cluster.leaders = [1, 2]; // broker 1 keeps partition 0; partition 1 moves to broker 2…
    cluster.logs[1].push(...Array.from({ length: 34 }, (_, i) => `b${i + 6}`)); // …and grows there
    await until('both partitions read to their end', () => got.get(0)?.length === 40 && got.get(1)?.length === 40);
    expect(got.get(0)).to.deep.equal(cluster.logs[0]);
    expect(got.get(1)).to.deep.equal(cluster.logs[1]);
    expect(cluster.fetches.some((f) => f.broker === 2 && f.partitions.includes(1)), 'broker 2 was asked for partition 1').to.equal(true);
  });

  it('drops an answer for a partition re-positioned while it was in flight, and reads from the new position', async () => {
    const cluster = new ScriptedCluster();
    cluster.logs[0] = Array.from({ length: 12 }, (_, i) => `a${i}`);
    cluster.answerDelayMs = 30;
    const got = start(cluster);
    fetcher!.start(0, 0);
    await until('the first fetch to be asked', () => cluster.fetches.length === 1);
    fetcher!.start(0, 9); // its answer (records 0–2) is still on its way
    await until('the records from 9', () => got.get(0)?.includes('a11') === true);
    expect(got.get(0)).to.deep.equal(['a9', 'a10', 'a11']);
  });
});
