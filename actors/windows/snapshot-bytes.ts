// Operator state is JSON inside a Buffer: simple, debuggable, and fast enough (100k keys in
// tens of milliseconds; see the window tests).

export function toBytes(state: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(state), 'utf8');
}

export function fromBytes<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as T;
}
