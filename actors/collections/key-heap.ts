// A binary min-heap of items ordered by a numeric key pair (primary, tie-break), e.g. (event
// time, offset) or (due time, sequence number). The keys live in parallel number arrays, so
// comparisons read plain numbers instead of scattered objects, and a push allocates no entry
// object. Push/pop are O(log n). The array layout depends only on the sequence of pushes and pops
// (never on the items), so two heaps fed the same keys pop - and lay out - identically.

export class KeyHeap<T> {
  private k1: number[] = [];
  private k2: number[] = [];
  private items: T[] = [];
  /** Keys of the entry last removed by pop(). */
  poppedKey1 = 0;
  poppedKey2 = 0;

  get size(): number {
    return this.items.length;
  }

  /** Primary key of the minimum (Infinity when empty). */
  peekKey1(): number {
    return this.k1.length > 0 ? (this.k1[0] as number) : Infinity;
  }

  /** Tie-break key of the minimum (Infinity when empty). */
  peekKey2(): number {
    return this.k2.length > 0 ? (this.k2[0] as number) : Infinity;
  }

  push(key1: number, key2: number, item: T): void {
    const k1 = this.k1;
    const k2 = this.k2;
    const items = this.items;
    let i = items.length;
    k1.push(key1);
    k2.push(key2);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p1 = k1[parent] as number;
      if (p1 < key1 || (p1 === key1 && (k2[parent] as number) <= key2)) break;
      k1[i] = p1;
      k2[i] = k2[parent] as number;
      items[i] = items[parent] as T;
      i = parent;
    }
    k1[i] = key1;
    k2[i] = key2;
    items[i] = item;
  }

  /** Removes and returns the minimum, leaving its keys in poppedKey1 / poppedKey2; call only when size > 0. */
  pop(): T {
    const k1 = this.k1;
    const k2 = this.k2;
    const items = this.items;
    const top = items[0] as T;
    this.poppedKey1 = k1[0] as number;
    this.poppedKey2 = k2[0] as number;
    const l1 = k1.pop() as number;
    const l2 = k2.pop() as number;
    const last = items.pop() as T;
    const n = items.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let c1 = k1[l] as number;
      let c2 = k2[l] as number;
      if (r < n) {
        const r1 = k1[r] as number;
        const r2 = k2[r] as number;
        if (r1 < c1 || (r1 === c1 && r2 < c2)) {
          c = r;
          c1 = r1;
          c2 = r2;
        }
      }
      if (!(c1 < l1 || (c1 === l1 && c2 < l2))) break;
      k1[i] = c1;
      k2[i] = c2;
      items[i] = items[c] as T;
      i = c;
    }
    k1[i] = l1;
    k2[i] = l2;
    items[i] = last;
    return top;
  }

  clear(): void {
    this.k1 = [];
    this.k2 = [];
    this.items = [];
  }

  /** Calls fn for every entry, in heap (array) order. */
  forEach(fn: (item: T, key1: number, key2: number) => void): void {
    for (let i = 0; i < this.items.length; i++) fn(this.items[i] as T, this.k1[i] as number, this.k2[i] as number);
  }

  /** The items in heap (array) order; pushing them in this order into an empty heap rebuilds it. */
  values(): T[] {
    return this.items.slice();
  }
}
