// The deadline queue of a pattern operator in a snapshot. The queue holds an entry per partial
// match that raised its key's deadline, for the pattern's whole window: the funnel's (10 minutes)
// grows to ~90 k entries per partition at 5 000 events/s, most of them for partial matches long
// gone. Written as [time, key] pairs they were 80 % of the snapshot and of the time it blocks the
// partition's event loop; here each key is written once, and each entry as the index of its key
// and its time's difference from the entry before (the queue is in time order: small numbers).

export interface EncodedDeadlines {
  keys: string[];
  /** Per entry: index into `keys`. */
  key: number[];
  /** Per entry: its time minus the previous entry's (the first: minus 0). */
  dt: number[];
}

/** Entries [from, times.length) of the queue. */
export function encodeDeadlines(times: readonly number[], keyOf: (i: number) => string, from: number): EncodedDeadlines {
  const index = new Map<string, number>();
  const enc: EncodedDeadlines = { keys: [], key: [], dt: [] };
  let prev = 0;
  for (let i = from; i < times.length; i++) {
    const k = keyOf(i);
    let ki = index.get(k);
    if (ki === undefined) {
      ki = enc.keys.length;
      index.set(k, ki);
      enc.keys.push(k);
    }
    const t = times[i] as number;
    enc.key.push(ki);
    enc.dt.push(t - prev);
    prev = t;
  }
  return enc;
}

/** Also reads the older form, a list of [time, key] pairs, so earlier snapshots still restore. */
export function decodeDeadlines(enc: EncodedDeadlines | [number, string][]): { times: number[]; keys: string[] } {
  if (Array.isArray(enc)) return { times: enc.map(([t]) => t), keys: enc.map(([, k]) => k) };
  if (enc.key.length !== enc.dt.length) throw new Error('corrupt pattern snapshot: deadline queue columns differ in length');
  const times = new Array<number>(enc.dt.length);
  const keys = new Array<string>(enc.key.length);
  let t = 0;
  for (let i = 0; i < enc.dt.length; i++) {
    t += enc.dt[i] as number;
    times[i] = t;
    const k = enc.keys[enc.key[i] as number];
    if (k === undefined) throw new Error('corrupt pattern snapshot: deadline key index out of range');
    keys[i] = k;
  }
  return { times, keys };
}
