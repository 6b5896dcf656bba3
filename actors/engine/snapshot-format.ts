// The engine snapshot: a JSON header followed by each operator's own bytes, length-prefixed.
//   "RTAE" | u8 version | u32 headerLength | header JSON | (u32 length | operator bytes)*

const MAGIC = 'RTAE';
const VERSION = 1;

export function frameSnapshot(header: unknown, parts: Uint8Array[]): Uint8Array {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  let total = 4 + 1 + 4 + head.length;
  for (const part of parts) total += 4 + part.byteLength;
  const out = Buffer.allocUnsafe(total);
  out.write(MAGIC, 0, 'latin1');
  out[4] = VERSION;
  out.writeUInt32BE(head.length, 5);
  head.copy(out, 9);
  let pos = 9 + head.length;
  for (const part of parts) {
    out.writeUInt32BE(part.byteLength, pos);
    out.set(part, pos + 4);
    pos += 4 + part.byteLength;
  }
  return out;
}

export function unframeSnapshot<H>(bytes: Uint8Array): { header: H; parts: Uint8Array[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 9 || buf.toString('latin1', 0, 4) !== MAGIC) throw new Error('not an analytics engine snapshot');
  if (buf[4] !== VERSION) throw new Error(`unsupported engine snapshot version ${buf[4]}`);
  const headLength = buf.readUInt32BE(5);
  const header = JSON.parse(buf.toString('utf8', 9, 9 + headLength)) as H;
  const parts: Uint8Array[] = [];
  let pos = 9 + headLength;
  while (pos < buf.length) {
    const length = buf.readUInt32BE(pos);
    parts.push(buf.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
  }
  return { header, parts };
}
