// Collects results per topic between flushes, so each flush sends one frame per topic. A result that
// belongs to several topics (its analytic's, `alerts`, `results`) is the same Outgoing in each, so
// its conflation key and JSON are made once.
import type { DeliveredResult } from './protocol.ts';
import { conflationKey } from './slow-client-queue.ts';

export class Outgoing {
  readonly key: string;

  /** `text`: the item's JSON when the caller has it already (as it arrived from NATS). */
  constructor(
    readonly item: DeliveredResult,
    private text?: string,
  ) {
    this.key = conflationKey(item);
  }

  get json(): string {
    return (this.text ??= JSON.stringify(this.item));
  }
}

/** `{"type":"batch","topic":…,"items":[…]}` (ServerMessage 'batch'), from each result's JSON made once. */
export function batchFrame(topic: string, batch: readonly Outgoing[]): string {
  let frame = `{"type":"batch","topic":${JSON.stringify(topic)},"items":[`;
  for (let i = 0; i < batch.length; i++) frame += i === 0 ? batch[i]!.json : `,${batch[i]!.json}`;
  return `${frame}]}`;
}

export class TopicBatcher<T> {
  private batches = new Map<string, T[]>();
  private queued = 0;

  constructor(private readonly maxPerTopic: number) {}

  get size(): number {
    return this.queued;
  }

  /** Returns true when the topic's batch is full and should be flushed without waiting. */
  add(topic: string, item: T): boolean {
    let list = this.batches.get(topic);
    if (!list) this.batches.set(topic, (list = []));
    list.push(item);
    this.queued++;
    return list.length >= this.maxPerTopic;
  }

  drain(): Map<string, T[]> {
    const out = this.batches;
    this.batches = new Map();
    this.queued = 0;
    return out;
  }
}
