// Collects results per topic between flushes, so each flush sends one frame per topic.
import type { DeliveredResult } from './protocol.ts';

export class TopicBatcher {
  private batches = new Map<string, DeliveredResult[]>();
  private queued = 0;

  constructor(private readonly maxPerTopic: number) {}

  get size(): number {
    return this.queued;
  }

  /** Returns true when the topic's batch is full and should be flushed without waiting. */
  add(topic: string, item: DeliveredResult): boolean {
    let list = this.batches.get(topic);
    if (!list) this.batches.set(topic, (list = []));
    list.push(item);
    this.queued++;
    return list.length >= this.maxPerTopic;
  }

  drain(): Map<string, DeliveredResult[]> {
    const out = this.batches;
    this.batches = new Map();
    this.queued = 0;
    return out;
  }
}
