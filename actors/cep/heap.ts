// A binary min-heap of buffered events ordered by (time, offset): the processing order.
// Push/pop are O(log n) however far the watermark lags behind the newest event.
import type { StoredEvent } from './nfa.ts';

const before = <E>(a: StoredEvent<E>, b: StoredEvent<E>): boolean =>
  a.time < b.time || (a.time === b.time && a.offset < b.offset);

export function heapPush<E>(h: StoredEvent<E>[], x: StoredEvent<E>): void {
  let i = h.length;
  h.push(x);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = h[parent] as StoredEvent<E>;
    if (!before(x, p)) break;
    h[i] = p;
    i = parent;
  }
  h[i] = x;
}

export function heapPop<E>(h: StoredEvent<E>[]): StoredEvent<E> | undefined {
  const top = h[0];
  const last = h.pop();
  if (top === undefined || last === undefined || h.length === 0) return top;
  const n = h.length;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    let c = l;
    if (r < n && before(h[r] as StoredEvent<E>, h[l] as StoredEvent<E>)) c = r;
    const child = h[c] as StoredEvent<E>;
    if (!before(child, last)) break;
    h[i] = child;
    i = c;
  }
  h[i] = last;
  return top;
}
