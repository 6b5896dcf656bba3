// The batch producer's retry rules, against a scripted fake broker (a TCP server speaking its three
// requests): what goes again after a dropped connection or an error, with which sequence numbers,
// and when it gives up. The real broker's side (de-duplication, offsets) is in
// test/integration/kafka-batch-producer.test.ts.
import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { KafkaBatchProducer, type PartitionRecord } from './batch-producer.ts';
import { Reader, Writer } from './wire/protocol.ts';

interface ProduceSeen {
  partitions: { partition: number; baseSequence: number; count: number }[];
}
/**
 * What the fake does with each produce request, in order; after the script: acknowledge. `hold`
 * acknowledges, but keeps that answer and every later one until release() (answers stay in order,
 * as a broker's on one connection).
 */
type Step = 'ack' | 'drop' | 'silence' | 'hold' | { error: number; partition?: number };

class FakeBroker {
  readonly produced: ProduceSeen[] = [];
  metadataRequests = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private held: { socket: Socket; frame: Buffer }[] | undefined;
  port = 0;

  constructor(private readonly script: Step[]) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      let buf = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (!socket.destroyed && buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
          const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
          buf = buf.subarray(4 + frame.length);
          this.answer(socket, new Reader(Buffer.from(frame)));
        }
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Sends the held answers, and answers at once again. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const { socket, frame } of held) if (!socket.destroyed) socket.write(frame);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }

  private answer(socket: Socket, r: Reader): void {
    const apiKey = r.int16();
    r.int16(); // version
    const correlationId = r.int32();
    r.nullableString(); // client id
    const w = new Writer();
    w.int32(0).int32(correlationId);
    if (apiKey === 3) {
      // Metadata v12, flexible: response header v1 (tagged fields after the correlation id).
      this.metadataRequests++;
      w.tags().int32(0); // throttle
      w.compactArray([1], (id) => w.int32(id).compactString('127.0.0.1').int32(this.port).compactString(null).tags());
      w.compactString('fake-cluster').int32(1);
      w.compactArray(['t'], (t) => {
        w.int16(0).compactString(t).uuid('0123456789abcdef0123456789abcdef').bool(false);
        w.compactArray([0, 1], (p) => w.int16(0).int32(p).int32(1).int32(0).compactArray([1], (n) => w.int32(n)).compactArray([1], (n) => w.int32(n)).compactArray([], () => undefined).tags());
        w.int32(0).tags();
      });
      w.tags();
    } else if (apiKey === 22) {
      w.int32(0).int16(0).int64(42n).int16(0);
    } else if (apiKey === 0) {
      r.nullableString();
      r.int16();
      r.int32();
      const seen: ProduceSeen = { partitions: [] };
      r.array(() => {
        r.string();
        r.array(() => {
          const partition = r.int32();
          const size = r.int32();
          const batch = Buffer.alloc(size);
          for (let i = 0; i < size; i++) batch[i] = r.int8() & 0xff;
          seen.partitions.push({ partition, baseSequence: batch.readInt32BE(53), count: batch.readInt32BE(57) });
        });
      });
      this.produced.push(seen);
      const step = this.script.shift() ?? 'ack';
      if (step === 'drop') return void socket.destroy();
      if (step === 'silence') return;
      if (step === 'hold') this.held ??= [];
      w.int32(1).string('t');
      w.array(seen.partitions, (p) => {
        const error = typeof step === 'object' && (step.partition === undefined || step.partition === p.partition) ? step.error : 0;
        w.int32(p.partition).int16(error).int64(0n).int64(-1n).int64(0n);
      });
      w.int32(0);
    }
    const out = w.finish();
    out.writeInt32BE(out.length - 4, 0);
    if (this.held) this.held.push({ socket, frame: out });
    else socket.write(out);
  }
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error('condition not reached in 2 s');
}

const records = (partition: number, n: number): PartitionRecord[] => Array.from({ length: n }, (_, i) => ({ partition, key: `k${i}`, value: Buffer.from(`v${i}`) }));

async function withBroker(script: Step[], run: (broker: FakeBroker, producer: KafkaBatchProducer, retries: string[]) => Promise<void>, timeouts = { requestTimeoutMs: 2_000, deliveryTimeoutMs: 5_000 }): Promise<void> {
  const broker = new FakeBroker(script);
  await broker.start();
  const retries: string[] = [];
  const producer = new KafkaBatchProducer({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'unit', ...timeouts, onRetry: (e) => retries.push(e.message) });
  try {
    await producer.connect();
    await run(broker, producer, retries);
  } finally {
    await producer.close().catch(() => undefined);
    await broker.stop();
  }
}

describe('KafkaBatchProducer retries (fake broker)', function () {
  this.timeout(20_000);

  it('resends a request whose connection dropped with the same records and sequence numbers, then goes on', () =>
    withBroker(['drop'], async (broker, producer, retries) => {
      await producer.send('t', records(0, 3));
      await producer.send('t', records(0, 2));
      expect(broker.produced.map((p) => p.partitions)).to.deep.equal([
        [{ partition: 0, baseSequence: 0, count: 3 }],
        [{ partition: 0, baseSequence: 0, count: 3 }],
        [{ partition: 0, baseSequence: 3, count: 2 }],
      ]);
      expect(retries).to.have.length(1);
      expect(broker.metadataRequests, 'a dropped connection re-reads the metadata').to.equal(2);
    }));

  it('resends only the partition that failed with a retriable error, after re-reading the metadata', () =>
    withBroker([{ error: 6, partition: 1 }], async (broker, producer, retries) => {
      await producer.send('t', [...records(0, 2), ...records(1, 4)]);
      expect(broker.produced.map((p) => p.partitions)).to.deep.equal([
        [{ partition: 0, baseSequence: 0, count: 2 }, { partition: 1, baseSequence: 0, count: 4 }],
        [{ partition: 1, baseSequence: 0, count: 4 }],
      ]);
      expect(retries[0]).to.include('partition 1: NOT_LEADER_OR_FOLLOWER');
      expect(broker.metadataRequests).to.equal(2);
    }));

  it('takes an acknowledged duplicate as written', () =>
    withBroker([{ error: 46 }], async (broker, producer, retries) => {
      await producer.send('t', records(0, 2));
      await producer.send('t', records(0, 1));
      expect(broker.produced.map((p) => p.partitions[0]!.baseSequence)).to.deep.equal([0, 2]);
      expect(retries).to.have.length(0);
    }));

  it('fails at once on a non-retriable error, and every later send fails too', () =>
    withBroker([{ error: 10 }], async (broker, producer, retries) => {
      const err = await producer.send('t', records(0, 2)).then(() => undefined, (e: unknown) => e);
      expect((err as Error).message).to.include('partition 0: MESSAGE_TOO_LARGE');
      expect(retries).to.have.length(0);
      const later = await producer.send('t', records(1, 1)).then(() => undefined, (e: unknown) => e);
      expect((later as Error).message).to.match(/failed earlier.*MESSAGE_TOO_LARGE/);
      expect(broker.produced).to.have.length(1);
    }));

  it('keeps up to five sends in flight, written in the order of the calls, and the sixth waits for a slot', () =>
    withBroker(['hold'], async (broker, producer) => {
      const sends = Array.from({ length: 7 }, () => producer.send('t', records(0, 2)));
      await until(() => broker.produced.length === 5);
      await new Promise((r) => setTimeout(r, 100));
      expect(broker.produced, 'five requests before any answer').to.have.length(5);
      broker.release();
      await Promise.all(sends);
      expect(broker.produced.map((p) => p.partitions[0]!.baseSequence)).to.deep.equal([0, 2, 4, 6, 8, 10, 12]);
    }));

  it('after a failure in flight, sends again in order: the failed send first, then those refused as out of order', () =>
    withBroker(['ack', { error: 19 }, { error: 45 }, { error: 45 }], async (broker, producer, retries) => {
      await producer.send('t', records(0, 1)); // the metadata is known: the next three leave back to back
      await Promise.all([producer.send('t', records(0, 2)), producer.send('t', records(0, 2)), producer.send('t', records(0, 2))]);
      expect(broker.produced.map((p) => p.partitions[0]!.baseSequence)).to.deep.equal([0, 1, 3, 5, 1, 3, 5]);
      expect(retries).to.have.length(3);
      expect(retries[0]).to.include('NOT_ENOUGH_REPLICAS');
      expect(retries[1]).to.include('OUT_OF_ORDER_SEQUENCE_NUMBER');
    }));

  it('after a connection drops under several sends, sends each again in order with its own sequence numbers', () =>
    withBroker(['ack', 'drop'], async (broker, producer) => {
      await producer.send('t', records(0, 1));
      await Promise.all([producer.send('t', records(0, 2)), producer.send('t', records(0, 2)), producer.send('t', records(0, 2))]);
      expect(broker.produced.slice(-3).map((p) => p.partitions[0]!.baseSequence)).to.deep.equal([1, 3, 5]);
    }));

  it('fails on out of order when no earlier send is left to blame', () =>
    withBroker([{ error: 45 }, { error: 45 }], async (broker, producer, retries) => {
      const err = await producer.send('t', records(0, 2)).then(() => undefined, (e: unknown) => e);
      expect((err as Error).message).to.include('partition 0: OUT_OF_ORDER_SEQUENCE_NUMBER');
      expect(retries, 'retried once, after which no earlier send was in flight').to.have.length(1);
      expect(broker.produced).to.have.length(2);
    }));

  it('gives up after its delivery timeout when the broker never answers', () =>
    withBroker(
      ['silence', 'silence', 'silence', 'silence', 'silence'],
      async (_broker, producer) => {
        const started = Date.now();
        const err = await producer.send('t', records(0, 1)).then(() => undefined, (e: unknown) => e);
        expect((err as Error).message).to.match(/failed for 1500 ms: .*timed out/);
        expect(Date.now() - started).to.be.within(1_500, 12_000);
      },
      { requestTimeoutMs: 200, deliveryTimeoutMs: 1_500 },
    ));
});
