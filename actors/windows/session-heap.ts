// A binary min-heap of session timers ordered by (due time, session sequence number). The
// sequence tie-break makes firing order independent of insertion history, so a restored
// operator fires in exactly the same order as the original.

export interface Timed {
  readonly seq: number;
}

export class TimerHeap<T extends Timed> {
  private dues: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peekDue(): number {
    return this.dues.length > 0 ? (this.dues[0] as number) : Infinity;
  }

  push(due: number, item: T): void {
    const dues = this.dues;
    const items = this.items;
    let i = items.length;
    dues.push(due);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(due, item, dues[parent] as number, items[parent] as T)) break;
      dues[i] = dues[parent] as number;
      items[i] = items[parent] as T;
      i = parent;
    }
    dues[i] = due;
    items[i] = item;
  }

  /** Removes the earliest timer; call only when size > 0. */
  pop(): [number, T] {
    const dues = this.dues;
    const items = this.items;
    const topDue = dues[0] as number;
    const top = items[0] as T;
    const lastDue = dues.pop() as number;
    const last = items.pop() as T;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && this.less(dues[r] as number, items[r] as T, dues[l] as number, items[l] as T)) c = r;
        if (!this.less(dues[c] as number, items[c] as T, lastDue, last)) break;
        dues[i] = dues[c] as number;
        items[i] = items[c] as T;
        i = c;
      }
      dues[i] = lastDue;
      items[i] = last;
    }
    return [topDue, top];
  }

  clear(): void {
    this.dues = [];
    this.items = [];
  }

  private less(d1: number, a: T, d2: number, b: T): boolean {
    return d1 < d2 || (d1 === d2 && a.seq < b.seq);
  }
}
