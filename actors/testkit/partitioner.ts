// Partition assignment: Kafka's default partitioner for keyed records —
// toPositive(murmur2(utf8(key))) % numPartitions — so the generator, the Kafka producer (any
// client using the Java-compatible default partitioner) and the tests agree on where a user lives.

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = ((data[i4] as number) & 0xff) | (((data[i4 + 1] as number) & 0xff) << 8) | (((data[i4 + 2] as number) & 0xff) << 16) | (((data[i4 + 3] as number) & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  const rem = length % 4;
  if (rem >= 3) h ^= ((data[tail + 2] as number) & 0xff) << 16;
  if (rem >= 2) h ^= ((data[tail + 1] as number) & 0xff) << 8;
  if (rem >= 1) {
    h ^= (data[tail] as number) & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a record keyed by `key` (the userId for rtap events). */
export function partitionFor(key: string, numPartitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % numPartitions;
}
