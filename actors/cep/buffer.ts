// Event-time buffer: a binary min-heap on (time, offset) kept in three parallel arrays, so a
// buffered event costs no wrapper object and comparisons read plain numbers (not the scattered
// event objects). Push/pop are O(log n); an in-order push is O(1).

export class EventBuffer<E> {
  times: number[] = [];
  offsets: number[] = [];
  events: E[] = [];

  get length(): number {
    return this.times.length;
  }

  /** Time of the earliest buffered event (Infinity when empty). */
  peekTime(): number {
    return this.times.length > 0 ? (this.times[0] as number) : Infinity;
  }

  push(event: E, offset: number, time: number): void {
    const t = this.times;
    const o = this.offsets;
    const ev = this.events;
    let i = t.length;
    t.push(time);
    o.push(offset);
    ev.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = t[parent] as number;
      if (pt < time || (pt === time && (o[parent] as number) < offset)) break;
      t[i] = pt;
      o[i] = o[parent] as number;
      ev[i] = ev[parent] as E;
      i = parent;
    }
    t[i] = time;
    o[i] = offset;
    ev[i] = event;
  }

  /**
   * Removes the earliest event; its offset is left in `poppedOffset`, its time in `poppedTime`.
   * Only call when length > 0.
   */
  pop(): E {
    const t = this.times;
    const o = this.offsets;
    const ev = this.events;
    const top = ev[0] as E;
    this.poppedTime = t[0] as number;
    this.poppedOffset = o[0] as number;
    const lt = t.pop() as number;
    const lo = o.pop() as number;
    const le = ev.pop() as E;
    const n = t.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ct = t[l] as number;
      let co = o[l] as number;
      if (r < n) {
        const rt = t[r] as number;
        const ro = o[r] as number;
        if (rt < ct || (rt === ct && ro < co)) {
          c = r;
          ct = rt;
          co = ro;
        }
      }
      if (!(ct < lt || (ct === lt && co < lo))) break;
      t[i] = ct;
      o[i] = co;
      ev[i] = ev[c] as E;
      i = c;
    }
    t[i] = lt;
    o[i] = lo;
    ev[i] = le;
    return top;
  }

  poppedTime = 0;
  poppedOffset = 0;
}
