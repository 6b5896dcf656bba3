// What a slow client gets instead of the live fast path: a bounded queue of pending results that
// conflates window updates (a later firing of the same partition+key+window replaces the earlier
// one — the client only needs the latest) and, past its bound, drops the oldest results.
// Everything it replaces or drops is counted, so the client and /metrics can see it lagged.
import { supersedes } from '../actors/results.ts';
import type { DeliveredResult } from './protocol.ts';

export interface FlushedBatch {
  topic: string;
  items: DeliveredResult[];
}

export class SlowClientQueue {
  private readonly pending = new Map<string, { topic: string; item: DeliveredResult }>();
  conflated = 0;
  dropped = 0;

  constructor(private readonly maxPending: number) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * Returns how many updates this call conflated and dropped (for the global counters). `keys`:
   * the items' queueKeys, when the caller adds the same batch to many queues.
   */
  add(topic: string, items: readonly DeliveredResult[], keys: readonly string[] = queueKeys(topic, items.map(conflationKey))): { conflated: number; dropped: number } {
    let conflated = 0;
    let dropped = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as DeliveredResult;
      const key = keys[i] as string;
      const existing = this.pending.get(key);
      if (existing) {
        conflated++;
        // Keep whichever firing is newer; an out-of-order older one is simply superseded.
        if (existing.item.kind === 'window' && item.kind === 'window' && !supersedes(item, existing.item)) continue;
        existing.item = item; // Map keeps the first insertion position: fine, order within a tick is not meaningful
        continue;
      }
      this.pending.set(key, { topic, item });
      if (this.pending.size > this.maxPending) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.delete(oldest);
        dropped++;
      }
    }
    this.conflated += conflated;
    this.dropped += dropped;
    return { conflated, dropped };
  }

  /** Empties the queue into one batch per topic. */
  take(): FlushedBatch[] {
    const byTopic = new Map<string, DeliveredResult[]>();
    for (const { topic, item } of this.pending.values()) {
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push(item);
    }
    this.pending.clear();
    return [...byTopic].map(([topic, items]) => ({ topic, items }));
  }
}

/** A queue's keys for one topic's items, from their conflation keys. */
export function queueKeys(topic: string, conflationKeys: readonly string[]): string[] {
  return conflationKeys.map((k) => `${topic}\u0000${k}`);
}

/** Window results conflate per (analytic, partition, key, window); pattern results never do. */
export function conflationKey(r: DeliveredResult): string {
  return r.kind === 'window' ? `w|${r.analytic}|${r.partition}|${r.key}|${r.windowStart}|${r.windowEnd}` : `p|${r.id}`;
}
