import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { crc32c } from './crc32c.ts';
import { Reader, Writer } from './protocol.ts';
import { writeRecordBatch, type KafkaRecord } from './record-batch.ts';
import { readRecordBatches, UnreadableBatchError, type AbortedTransaction, type FetchedRecord } from './record-batch-reader.ts';

interface BatchSpec {
  baseOffset: number;
  records: KafkaRecord[];
  producerId?: bigint;
  /** Attribute bits to set: 0x10 transactional, 0x20 control. */
  flags?: number;
  gzip?: boolean;
  timestampMs?: number;
}

/** A batch as the broker stores it: our writer's bytes with the broker's base offset, flags and (re)computed CRC. */
function batch(spec: BatchSpec): Buffer {
  const w = new Writer(64);
  writeRecordBatch(w, spec.records, spec.timestampMs ?? 1_000, { producerId: spec.producerId ?? -1n, producerEpoch: 0, baseSequence: 0 });
  let b = Buffer.from(w.finish());
  if (spec.gzip) {
    const packed = gzipSync(b.subarray(61));
    b = Buffer.concat([b.subarray(0, 61), packed]);
    b.writeInt32BE(b.length - 12, 8);
  }
  b.writeBigInt64BE(BigInt(spec.baseOffset), 0);
  b.writeInt16BE((spec.flags ?? 0) | (spec.gzip ? 1 : 0), 21);
  b.writeUInt32BE(crc32c(b, 21, b.length), 17);
  return b;
}

const values = (n: number, prefix: string): KafkaRecord[] => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`${prefix}${i}`) }));

function read(bytes: Buffer, from: number, aborted: AbortedTransaction[] | null = null): { records: FetchedRecord[]; next: number } {
  const records: FetchedRecord[] = [];
  const next = readRecordBatches(bytes, from, aborted, (r) => records.push(r));
  return { records, next };
}

const text = (rs: FetchedRecord[]): string[] => rs.map((r) => r.value!.toString());

describe('Kafka wire: reading fetched record batches', () => {
  it('reads back what the writer wrote: offsets, timestamps, keys, null values, headers', () => {
    const records: KafkaRecord[] = [
      { key: 'user-1', value: Buffer.from('a'), headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, 'ünï': 'cödé' } },
      { key: null, value: null },
      { key: Buffer.from([1, 2]), value: Buffer.alloc(20_000, 7) },
    ];
    const { records: got, next } = read(batch({ baseOffset: 40, records, timestampMs: 1_764_000_000_123 }), 0);
    expect(next).to.equal(43);
    expect(got.map((r) => r.offset)).to.deep.equal([40, 41, 42]);
    expect(got.every((r) => r.timestamp === 1_764_000_000_123)).to.equal(true);
    expect(got[0]!.key!.toString()).to.equal('user-1');
    expect(got[0]!.headers.map(([k, v]) => [k, v.toString()])).to.deep.equal([
      ['traceparent', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`],
      ['ünï', 'cödé'],
    ]);
    expect(got[1]!.key).to.equal(null);
    expect(got[1]!.value).to.equal(null);
    expect(got[2]!.value!.equals(Buffer.alloc(20_000, 7))).to.equal(true);
  });

  it('leaves out records before the fetch offset (a fetch starts at the batch holding it)', () => {
    const bytes = Buffer.concat([batch({ baseOffset: 0, records: values(5, 'a') }), batch({ baseOffset: 5, records: values(5, 'b') })]);
    const { records, next } = read(bytes, 3);
    expect(records.map((r) => r.offset)).to.deep.equal([3, 4, 5, 6, 7, 8, 9]);
    expect(next).to.equal(10);
  });

  it('leaves a batch cut off at the end of the response to the next fetch', () => {
    const whole = batch({ baseOffset: 0, records: values(3, 'a') });
    const cut = batch({ baseOffset: 3, records: values(3, 'b') }).subarray(0, 30);
    const { records, next } = read(Buffer.concat([whole, cut]), 0);
    expect(text(records)).to.deep.equal(['a0', 'a1', 'a2']);
    expect(next).to.equal(3);
    expect(read(cut, 3).next, 'nothing whole: the offset stays').to.equal(3);
  });

  it('unpacks gzip batches', () => {
    const { records, next } = read(batch({ baseOffset: 7, records: values(50, 'z'), gzip: true }), 7);
    expect(text(records)).to.deep.equal(values(50, 'z').map((r) => r.value!.toString()));
    expect(records[49]!.offset).to.equal(56);
    expect(next).to.equal(57);
  });

  it('skips the batches of aborted transactions until their abort marker, and every control batch', () => {
    const abortMarker: KafkaRecord[] = [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }];
    const commitMarker: KafkaRecord[] = [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }];
    const bytes = Buffer.concat([
      batch({ baseOffset: 0, records: values(1, 'plain') }),
      batch({ baseOffset: 1, records: values(2, 'aborted'), producerId: 7n, flags: 0x10 }),
      batch({ baseOffset: 3, records: values(1, 'committed'), producerId: 8n, flags: 0x10 }),
      batch({ baseOffset: 4, records: abortMarker, producerId: 7n, flags: 0x30 }),
      batch({ baseOffset: 5, records: commitMarker, producerId: 8n, flags: 0x30 }),
      batch({ baseOffset: 6, records: values(1, 'again'), producerId: 7n, flags: 0x10 }),
    ]);
    const { records, next } = read(bytes, 0, [{ producerId: 7n, firstOffset: 1 }]);
    expect(text(records)).to.deep.equal(['plain0', 'committed0', 'again0']);
    expect(records.map((r) => r.offset)).to.deep.equal([0, 3, 6]);
    expect(next).to.equal(7);
  });

  it('refuses a corrupt batch, another codec, or an old format, naming the offset', () => {
    const corrupt = batch({ baseOffset: 9, records: values(2, 'a') });
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
    expect(() => read(corrupt, 9)).to.throw(UnreadableBatchError, /offset 9 fails its CRC/);
    const snappy = batch({ baseOffset: 9, records: values(2, 'a') });
    snappy.writeInt16BE(2, 21);
    snappy.writeUInt32BE(crc32c(snappy, 21, snappy.length), 17);
    expect(() => read(snappy, 9)).to.throw(UnreadableBatchError, /offset 9 is snappy-compressed/);
    const old = batch({ baseOffset: 9, records: values(1, 'a') });
    old.writeInt8(1, 16);
    expect(() => read(old, 9)).to.throw(UnreadableBatchError, /magic 1/);
  });
});

describe('Kafka wire: flexible-version primitives', () => {
  it('round-trips compact strings and arrays, nulls, UUIDs and (skipped) tagged fields', () => {
    const w = new Writer(4);
    w.compactString('hé').compactString(null).compactArray([1, 300], (n) => w.int32(n)).compactArray(null, () => undefined);
    w.uuid('00112233445566778899aabbccddeeff').uvarint(1).uvarint(5).uvarint(2).int16(9).uvarint(300);
    const r = new Reader(w.finish());
    expect(r.compactString()).to.equal('hé');
    expect(r.compactNullableString()).to.equal(null);
    expect(r.compactArray(() => r.int32())).to.deep.equal([1, 300]);
    expect(r.compactNullableArray(() => r.int32())).to.equal(null);
    expect(r.uuid()).to.equal('00112233445566778899aabbccddeeff');
    r.skipTags(); // one field: tag 5, two bytes
    expect(r.uvarint()).to.equal(300);
  });
});
