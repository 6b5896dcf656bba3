// The Kafka wire protocol's primitive types (big-endian ints, int16-length strings, int32-count
// arrays, zigzag varints) for the few non-flexible request versions the batch producer speaks.
// https://kafka.apache.org/protocol#protocol_types

/** A growable output buffer; `finish()` returns the bytes written. */
export class Writer {
  buf: Buffer;
  offset = 0;

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf[this.offset++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.offset = this.buf.writeInt16BE(v, this.offset);
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.offset = this.buf.writeInt32BE(v, this.offset);
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.offset = this.buf.writeBigInt64BE(v, this.offset);
    return this;
  }

  /** int16 length + UTF-8 bytes; null as length -1. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const n = Buffer.byteLength(s);
    this.int16(n);
    this.ensure(n);
    this.offset += this.buf.write(s, this.offset);
    return this;
  }

  /** int32 count, then each item. */
  array<T>(items: readonly T[], each: (item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(item);
    return this;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.offset);
  }
}

/** Reads one response body. Throws a RangeError when the bytes end early (a truncated frame). */
export class Reader {
  offset = 0;

  constructor(private readonly buf: Buffer) {}

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new RangeError('kafka: null where a string was expected');
    return s;
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    const at = this.take(n);
    return this.buf.toString('utf8', at, at + n);
  }

  array<T>(each: () => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each());
    return out;
  }

  private take(n: number): number {
    const at = this.offset;
    if (at + n > this.buf.length) throw new RangeError(`kafka: response ends at byte ${this.buf.length}, needed ${at + n}`);
    this.offset += n;
    return at;
  }
}

/** Bytes of `n` as a zigzag varint (Kafka's record fields). `n` is a 32-bit signed integer. */
export function varintSize(n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  while (z >= 0x80) {
    z >>>= 7;
    size++;
  }
  return size;
}

/** Writes `n` as a zigzag varint at `offset` (the caller made room); returns the next offset. */
export function writeVarint(buf: Buffer, offset: number, n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[offset++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[offset++] = z;
  return offset;
}
