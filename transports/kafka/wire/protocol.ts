// The Kafka wire protocol's primitive types: big-endian ints, int16-length strings, int32-count
// arrays and zigzag varints, and for the flexible versions (KIP-482) their compact forms (unsigned
// varint lengths plus one, tagged fields) and UUIDs. https://kafka.apache.org/protocol#protocol_types

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

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  /** Unsigned varint (compact lengths, tag counts). */
  uvarint(n: number): this {
    this.ensure(5);
    let v = n >>> 0;
    while (v >= 0x80) {
      this.buf[this.offset++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.offset++] = v;
    return this;
  }

  /** Compact (nullable) string: uvarint length + 1, then UTF-8 bytes; null as 0. */
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const n = Buffer.byteLength(s);
    this.uvarint(n + 1);
    this.ensure(n);
    this.offset += this.buf.write(s, this.offset);
    return this;
  }

  /** Compact (nullable) array: uvarint count + 1, then each item; null as 0. */
  compactArray<T>(items: readonly T[] | null, each: (item: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const item of items) each(item);
    return this;
  }

  /** A UUID given as 32 hex digits. */
  uuid(hex: string): this {
    this.ensure(16);
    this.offset += this.buf.write(hex, this.offset, 16, 'hex');
    return this;
  }

  /** No tagged fields. */
  tags(): this {
    return this.uvarint(0);
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

  /** int32 length + bytes (a view into the response, not a copy); null as length -1. */
  bytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.take(1)]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
    }
    throw new RangeError('kafka: unsigned varint longer than 5 bytes');
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new RangeError('kafka: null where a string was expected');
    return s;
  }

  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    const at = this.take(n);
    return this.buf.toString('utf8', at, at + n);
  }

  compactArray<T>(each: () => T): T[] {
    return this.compactNullableArray(each) ?? [];
  }

  compactNullableArray<T>(each: () => T): T[] | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each());
    return out;
  }

  /** A UUID as 32 hex digits. */
  uuid(): string {
    const at = this.take(16);
    return this.buf.toString('hex', at, at + 16);
  }

  /** Skips the tagged fields that end every flexible structure (we read none of them). */
  skipTags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint(); // tag
      this.take(this.uvarint());
    }
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
