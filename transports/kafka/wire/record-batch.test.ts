import { expect } from 'chai';
import { crc32c } from './crc32c.ts';
import { kafkajsRecordBatch } from './kafkajs-reference.ts';
import { Writer, varintSize, writeVarint } from './protocol.ts';
import { writeRecordBatch, type KafkaRecord } from './record-batch.ts';

const kafkajsBatch = (records: KafkaRecord[], ts: number, producerId: bigint, producerEpoch: number, baseSequence: number): Promise<Buffer> =>
  kafkajsRecordBatch(records, ts, { producerId, producerEpoch, baseSequence });

function ours(records: KafkaRecord[], ts: number, producerId: bigint, producerEpoch: number, baseSequence: number): Buffer {
  const w = new Writer(16); // small on purpose: the batch must make its own room
  w.int32(7); // something before the batch, as in a produce request
  const size = writeRecordBatch(w, records, ts, { producerId, producerEpoch, baseSequence });
  const out = w.finish();
  expect(out.length).to.equal(4 + size);
  return out.subarray(4);
}

describe('Kafka wire: record batches', () => {
  it('computes CRC-32C (the Castagnoli check value)', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).to.equal(0);
    expect(crc32c(Buffer.from('xx123456789yy'), 2, 11)).to.equal(0xe3069283);
  });

  it('writes zigzag varints as Kafka does', () => {
    const cases: [number, number[]][] = [[0, [0]], [-1, [1]], [1, [2]], [63, [126]], [64, [128, 1]], [-65, [129, 1]], [300, [216, 4]]];
    for (const [n, bytes] of cases) {
      const buf = Buffer.alloc(8);
      expect(writeVarint(buf, 0, n), `length of ${n}`).to.equal(bytes.length);
      expect([...buf.subarray(0, bytes.length)], `bytes of ${n}`).to.deep.equal(bytes);
      expect(varintSize(n)).to.equal(bytes.length);
    }
  });

  it('encodes a batch byte for byte as kafkajs does: null keys and values, headers, multi-byte lengths and deltas', async () => {
    const records: KafkaRecord[] = [];
    for (let i = 0; i < 300; i++) {
      records.push({
        key: i % 7 === 0 ? null : i % 2 ? `user-${i}` : Buffer.from(`bin-${i}`),
        value: i % 11 === 0 ? null : Buffer.alloc(i % 3 === 0 ? 20_000 : 40 + i, i & 0xff),
        ...(i % 5 === 0 ? { headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, 'ünï': 'cödé' } } : {}),
      });
    }
    const ts = 1_764_000_000_123;
    const expected = await kafkajsBatch(records, ts, 4242n, 3, 12_345);
    expect(ours(records, ts, 4242n, 3, 12_345).equals(expected)).to.equal(true);
  });

  it('encodes a one-record batch as kafkajs does', async () => {
    const records: KafkaRecord[] = [{ key: 'k', value: Buffer.from([1, 2, 3]) }];
    expect(ours(records, 5, 0n, 0, 0).equals(await kafkajsBatch(records, 5, 0n, 0, 0))).to.equal(true);
  });

  it('refuses an empty batch', () => {
    expect(() => writeRecordBatch(new Writer(), [], 0, { producerId: 0n, producerEpoch: 0, baseSequence: 0 })).to.throw(/at least one record/);
  });
});
