// Event-time buffer of the specialised built-in pattern operators: a binary min-heap on
// (time, offset) kept in parallel number arrays (KeyHeap), with a small payload per event (a role code and
// two strings) in slot arrays. Buffering neither wraps nor retains the event object: the event
// dies young (in the scavenger) instead of being promoted while it waits for the watermark, and
// heap comparisons read plain numbers instead of scattered objects. Push/pop are O(log n); an
// in-order push is O(1).
//
// Events that arrive in (time, offset) order - most of them, in practice - skip the heap: they are
// appended to a sorted FIFO run, and pop() takes the smaller of the run's head and the heap's top.

import { KeyHeap } from '../collections/key-heap.ts';

export class SlotHeap {
  /** Out-of-order events: slots keyed by (time, offset). */
  private readonly heap = new KeyHeap<number>();
  /** Payload by slot. */
  readonly role: number[] = [];
  readonly user: string[] = [];
  readonly id: string[] = [];
  /** Released slots, a stack in [0, nFree) that keeps its length (as the run does). */
  private readonly free: number[] = [];
  private nFree = 0;
  /**
   * The in-order run: a sorted FIFO in [rHead, rTail). The arrays keep their length when the run
   * empties (stale entries past rTail), so a run refilled every watermark writes into the same
   * backing stores instead of growing new ones from nothing (the allocation a node made most per event).
   */
  private readonly rTime: number[] = [];
  private readonly rOff: number[] = [];
  private readonly rSlot: number[] = [];
  private rHead = 0;
  private rTail = 0;
  /** Set by pop(). */
  poppedTime = 0;
  poppedOffset = 0;

  get length(): number {
    return this.heap.size + this.rTail - this.rHead;
  }

  /** Time of the earliest buffered event (Infinity when empty). */
  peekTime(): number {
    const h = this.heap.peekKey1();
    const r = this.rHead < this.rTail ? (this.rTime[this.rHead] as number) : Infinity;
    return h < r ? h : r;
  }

  push(time: number, offset: number, role: number, user: string, id: string): void {
    let slot: number;
    if (this.nFree > 0) {
      slot = this.free[--this.nFree] as number;
      this.role[slot] = role;
      this.user[slot] = user;
      this.id[slot] = id;
    } else {
      slot = this.role.length;
      this.role.push(role);
      this.user.push(user);
      this.id.push(id);
    }
    const rt = this.rTime;
    let rn = this.rTail;
    if (rn === this.rHead || (rt[rn - 1] as number) < time || ((rt[rn - 1] as number) === time && (this.rOff[rn - 1] as number) < offset)) {
      // Full, and half of it consumed: move the live entries down rather than grow.
      if (rn === rt.length && this.rHead > 0 && this.rHead * 2 >= rn) rn = this.compactRun();
      if (rn < rt.length) {
        rt[rn] = time;
        this.rOff[rn] = offset;
        this.rSlot[rn] = slot;
      } else {
        rt.push(time);
        this.rOff.push(offset);
        this.rSlot.push(slot);
      }
      this.rTail = rn + 1;
      return;
    }
    this.heap.push(time, offset, slot);
  }

  /**
   * Removes the earliest event and returns its slot (read role/user/id, then release() it); its
   * time and offset are left in poppedTime / poppedOffset. Only call when length > 0.
   */
  pop(): number {
    const rh = this.rHead;
    if (rh < this.rTail) {
      const rt = this.rTime[rh] as number;
      const ro = this.rOff[rh] as number;
      const ht = this.heap.peekKey1();
      if (rt < ht || (rt === ht && ro < this.heap.peekKey2())) {
        const slot = this.rSlot[rh] as number;
        this.poppedTime = rt;
        this.poppedOffset = ro;
        this.rHead = rh + 1;
        if (this.rHead === this.rTail) {
          this.rHead = 0;
          this.rTail = 0;
          if (this.rTime.length > 65536) this.rTime.length = this.rOff.length = this.rSlot.length = 0; // a backlog's run: give its memory back
        }
        return slot;
      }
    }
    const heap = this.heap;
    const slot = heap.pop();
    this.poppedTime = heap.poppedKey1;
    this.poppedOffset = heap.poppedKey2;
    return slot;
  }

  /** Moves the live entries [rHead, rTail) to the front; returns the new tail. */
  private compactRun(): number {
    const h = this.rHead;
    const t = this.rTail;
    this.rTime.copyWithin(0, h, t);
    this.rOff.copyWithin(0, h, t);
    this.rSlot.copyWithin(0, h, t);
    this.rHead = 0;
    this.rTail = t - h;
    return this.rTail;
  }

  release(slot: number): void {
    this.user[slot] = '';
    this.id[slot] = '';
    if (this.nFree < this.free.length) this.free[this.nFree] = slot;
    else this.free.push(slot);
    this.nFree++;
  }

  /** Buffered events, in no particular order: [time, offset, role, user, id]. */
  rows(): [number, number, number, string, string][] {
    const out: [number, number, number, string, string][] = [];
    const row = (slot: number, time: number, offset: number): void => {
      out.push([time, offset, this.role[slot] as number, this.user[slot] as string, this.id[slot] as string]);
    };
    for (let i = this.rHead; i < this.rTail; i++) row(this.rSlot[i] as number, this.rTime[i] as number, this.rOff[i] as number);
    this.heap.forEach(row);
    return out;
  }

  /** Rebuilds a buffer from rows() output (pop order depends only on (time, offset)). */
  static fromRows(rows: readonly (readonly [number, number, number, string, string])[]): SlotHeap {
    const h = new SlotHeap();
    for (const [time, offset, role, user, id] of rows) h.push(time, offset, role, user, id);
    return h;
  }
}
