// The replay buffer of one topic: the last `max` results, none older than `maxAgeMs`, with later
// firings of a window replacing earlier ones. A late joiner needs each window's latest value, not
// its history of early firings, so the same capacity covers far more windows. A Map keeps
// insertion order, which makes "oldest first", "evict oldest" and "replace" all O(1).
import type { DeliveredResult } from './protocol.ts';
import { supersedes } from '../actors/results.ts';
import { conflationKey } from './slow-client-queue.ts';

export class ReplayBuffer {
  private readonly entries = new Map<string, { at: number; item: DeliveredResult }>();

  constructor(
    private readonly max: number,
    private readonly maxAgeMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** `key`: the item's conflation key, when the caller has it already. */
  push(item: DeliveredResult, now: number, key = conflationKey(item)): void {
    if (this.max === 0) return;
    const prev = this.entries.get(key);
    if (prev) {
      // An older firing arriving after a newer one must not replace it.
      if (prev.item.kind === 'window' && item.kind === 'window' && !supersedes(item, prev.item)) return;
      this.entries.delete(key); // re-inserted below as the newest
    }
    this.entries.set(key, { at: now, item });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Oldest first, after dropping what is older than maxAgeMs. */
  snapshot(now: number): DeliveredResult[] {
    this.expire(now);
    return [...this.entries.values()].map((e) => e.item);
  }

  expire(now: number): void {
    for (const [key, e] of this.entries) {
      if (now - e.at <= this.maxAgeMs) return;
      this.entries.delete(key);
    }
  }
}
