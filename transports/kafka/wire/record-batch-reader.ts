// Decodes the record batches (magic 2) of a fetch response into records whose keys, values and
// header values are views into the response, not copies. Checks each batch's CRC; unpacks gzip (the
// one codec Node has built in); leaves out control batches and, for read_committed, the batches of
// aborted transactions, as Kafka's own consumer does. https://kafka.apache.org/documentation/#recordbatch
import { gunzipSync } from 'node:zlib';
import { crc32c } from './crc32c.ts';

export interface FetchedRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [string, Buffer])[];
}

/** An aborted transaction in a fetch response: its producer's batches from `firstOffset` on, until its abort marker. */
export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: number;
}

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** baseOffset (8) + batchLength (4): the rest of the batch is batchLength bytes. */
const LOG_OVERHEAD = 12;
const NO_HEADERS: readonly (readonly [string, Buffer])[] = [];

/** A batch that cannot be read: corrupt, an unknown format, or a codec we cannot unpack. */
export class UnreadableBatchError extends Error {
  override name = 'UnreadableBatchError';
}

/**
 * Calls `onRecord` for every record at or after `fromOffset` in `bytes`, in offset order. A batch cut
 * off at the end of the response (the fetch's size limit) is left for the next fetch. Returns the
 * offset after the last batch read whole (what to fetch next even when all its records were left out),
 * or `fromOffset` when there was none.
 */
export function readRecordBatches(bytes: Buffer, fromOffset: number, aborted: readonly AbortedTransaction[] | null, onRecord: (r: FetchedRecord) => void): number {
  let next = fromOffset;
  let at = 0;
  const pendingAborts = aborted ? [...aborted].sort((a, b) => a.firstOffset - b.firstOffset) : [];
  const abortedProducers = new Set<bigint>();
  while (at + LOG_OVERHEAD <= bytes.length) {
    const baseOffset = Number(bytes.readBigInt64BE(at));
    const end = at + LOG_OVERHEAD + bytes.readInt32BE(at + 8);
    if (end > bytes.length) break; // cut off: fetched again from its start
    const magic = bytes.readInt8(at + 16);
    if (magic !== 2) throw new UnreadableBatchError(`record batch at offset ${baseOffset} has magic ${magic}; only magic 2 (Kafka 0.11+) is read`);
    const crcFrom = at + 21;
    if (crc32c(bytes, crcFrom, end) !== bytes.readUInt32BE(at + 17)) throw new UnreadableBatchError(`record batch at offset ${baseOffset} fails its CRC check (corrupt)`);
    const attributes = bytes.readInt16BE(at + 21);
    const lastOffset = baseOffset + bytes.readInt32BE(at + 23);
    const baseTimestamp = Number(bytes.readBigInt64BE(at + 27));
    const producerId = bytes.readBigInt64BE(at + 43);
    const count = bytes.readInt32BE(at + 57);
    const recordsFrom = at + 61;
    at = end;
    next = Math.max(next, lastOffset + 1);
    if (lastOffset < fromOffset) continue;
    while (pendingAborts.length > 0 && pendingAborts[0]!.firstOffset <= lastOffset) abortedProducers.add(pendingAborts.shift()!.producerId);
    const transactional = (attributes & 0x10) !== 0;
    if ((attributes & 0x20) !== 0) {
      // A control batch (a transaction's commit or abort marker): the abort ends its transaction's skipping.
      if (transactional && abortedProducers.has(producerId) && controlType(bytes, recordsFrom, end) === 0) abortedProducers.delete(producerId);
      continue;
    }
    if (transactional && abortedProducers.has(producerId)) continue;
    const codec = attributes & 0x07;
    let records = bytes;
    let from = recordsFrom;
    let to = end;
    if (codec !== 0) {
      if (codec !== 1) throw new UnreadableBatchError(`record batch at offset ${baseOffset} is ${CODECS[codec] ?? `codec ${codec}`}-compressed; rtap reads uncompressed and gzip batches`);
      try {
        records = gunzipSync(bytes.subarray(recordsFrom, end));
      } catch (err) {
        throw new UnreadableBatchError(`record batch at offset ${baseOffset} does not gunzip: ${(err as Error).message}`);
      }
      from = 0;
      to = records.length;
    }
    readRecords(records, from, to, count, baseOffset, baseTimestamp, fromOffset, onRecord);
  }
  return next;
}

function readRecords(buf: Buffer, from: number, to: number, count: number, baseOffset: number, baseTimestamp: number, fromOffset: number, onRecord: (r: FetchedRecord) => void): void {
  const c = new Cursor(buf, from, to);
  for (let i = 0; i < count; i++) {
    const length = c.varint();
    const recordEnd = c.at + length;
    c.at++; // attributes (unused)
    const timestamp = baseTimestamp + c.varlong();
    const offset = baseOffset + c.varint();
    const key = c.bytes();
    const value = c.bytes();
    const headerCount = c.varint();
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      const list: (readonly [string, Buffer])[] = [];
      for (let h = 0; h < headerCount; h++) {
        const name = c.bytes();
        list.push([name ? name.toString('utf8') : '', c.bytes() ?? Buffer.alloc(0)]);
      }
      headers = list;
    }
    c.at = recordEnd;
    if (offset >= fromOffset) onRecord({ offset, timestamp, key, value, headers });
  }
}

/** The type of a control batch's marker: 0 abort, 1 commit (its record's key: version int16, type int16). */
function controlType(buf: Buffer, from: number, to: number): number {
  const c = new Cursor(buf, from, to);
  c.varint(); // length
  c.at++; // attributes
  c.varlong(); // timestamp delta
  c.varint(); // offset delta
  const key = c.bytes();
  return key && key.length >= 4 ? key.readInt16BE(2) : -1;
}

/** Zigzag varints and length-prefixed byte strings inside one batch's records. */
class Cursor {
  constructor(
    private readonly buf: Buffer,
    public at: number,
    private readonly end: number,
  ) {}

  varint(): number {
    let z = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      z |= (b & 0x7f) << shift;
      if (b < 0x80) return (z >>> 1) ^ -(z & 1);
    }
    throw new UnreadableBatchError('record varint longer than 5 bytes');
  }

  /** A zigzag varlong as a number (timestamp deltas: exact up to 2^53). */
  varlong(): number {
    let z = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte();
      z += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    throw new UnreadableBatchError('record varlong longer than 10 bytes');
  }

  /** varint length + bytes (a view); null as length -1. */
  bytes(): Buffer | null {
    const n = this.varint();
    if (n < 0) return null;
    if (this.at + n > this.end) throw new UnreadableBatchError('record runs past its batch');
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  private byte(): number {
    if (this.at >= this.end) throw new UnreadableBatchError('record runs past its batch');
    return this.buf[this.at++]!;
  }
}
