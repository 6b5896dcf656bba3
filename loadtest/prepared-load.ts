// The load, generated and Avro-encoded ahead of its due times into flat arrays, so that while the
// pipeline is measured the load-test process only schedules and sends bytes. Generating an event and
// encoding it took about a third of that process's busy time (the generator, Avro, and the garbage
// both leave), on the cores it shares with the pipeline; load generated on another machine would
// cost the pipeline nothing. Typed arrays and one byte buffer, not an object per event: millions of
// long-lived objects would make every garbage collection of this process — which also timestamps
// the results it measures — slower.
import { EventCodec } from '../actors/events/index.ts';
import type { GeneratedItem } from '../actors/testkit/index.ts';
import type { PartitionRecord } from '../transports/kafka/batch-producer.ts';
import { recordOf } from './event-producer.ts';

export class PreparedLoad {
  private count = 0;
  private wall = new Float64Array(1 << 16);
  private eventTimes = new Float64Array(1 << 16);
  private partitions = new Uint8Array(1 << 16);
  private offsets = new Uint32Array(1 << 16);
  /** Index into `keys`; -1: no key (a deliberately bad record). */
  private keyIndex = new Int32Array(1 << 16);
  /** Index into `pages` for a page view, else -1. */
  private pageIndex = new Int16Array(1 << 16);
  /** Item i's value is bytes[valueEnd[i-1] .. valueEnd[i]). */
  private valueEnd = new Float64Array(1 << 16);
  private bytes = Buffer.allocUnsafe(1 << 22);
  private readonly keys: string[] = [];
  private readonly keyIds = new Map<string, number>();
  private readonly pages: string[] = [];
  private readonly pageIds = new Map<string, number>();
  private peeked: GeneratedItem | undefined;
  private readonly codec = new EventCodec();

  constructor(private readonly items: Iterator<GeneratedItem>) {}

  /** Bytes of encoded values held. */
  get bytesUsed(): number {
    return this.count === 0 ? 0 : this.valueEnd[this.count - 1]!;
  }

  /** Items prepared so far. */
  get size(): number {
    return this.count;
  }

  /** Generates and encodes every item due before `untilMs` (a no-op for those already prepared). */
  prepareUntil(untilMs: number): void {
    for (;;) {
      const item = this.peeked ?? this.items.next().value;
      this.peeked = undefined;
      if (!item) return;
      if (item.wallTime >= untilMs) {
        this.peeked = item;
        return;
      }
      this.add(item);
    }
  }

  /** When the first item not prepared yet is due (after prepareUntil), or undefined when none is left. */
  get nextDue(): number | undefined {
    return this.peeked?.wallTime;
  }

  wallTime(i: number): number {
    return this.wall[i]!;
  }

  partition(i: number): number {
    return this.partitions[i]!;
  }

  offset(i: number): number {
    return this.offsets[i]!;
  }

  isBad(i: number): boolean {
    return this.keyIndex[i] === -1;
  }

  /** Item i's page, an index into `pageNames`, for a page view; else -1. */
  pageId(i: number): number {
    return this.pageIndex[i]!;
  }

  /** A page view's event time (pageId(i) ≥ 0). */
  eventTime(i: number): number {
    return this.eventTimes[i]!;
  }

  /** The pages of the page views prepared so far, by pageId. */
  get pageNames(): readonly string[] {
    return this.pages;
  }

  record(i: number, headers: Record<string, string> | undefined): PartitionRecord {
    const k = this.keyIndex[i]!;
    const value = this.bytes.subarray(i === 0 ? 0 : this.valueEnd[i - 1]!, this.valueEnd[i]!);
    const key = k < 0 ? null : this.keys[k]!;
    return headers ? { partition: this.partitions[i]!, key, value, headers } : { partition: this.partitions[i]!, key, value };
  }

  private add(item: GeneratedItem): void {
    const i = this.count;
    if (i === this.wall.length) this.grow();
    const { key, value } = recordOf(this.codec, item);
    const start = i === 0 ? 0 : this.valueEnd[i - 1]!;
    if (start + value.length > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, start + value.length));
      this.bytes.copy(bigger, 0, 0, start);
      this.bytes = bigger;
    }
    value.copy(this.bytes, start);
    this.valueEnd[i] = start + value.length;
    this.wall[i] = item.wallTime;
    this.partitions[i] = item.partition;
    this.offsets[i] = item.offset;
    this.keyIndex[i] = key === null ? -1 : intern(key, this.keys, this.keyIds);
    this.pageIndex[i] = -1;
    if (item.kind === 'event' && item.event.type === 'PageView') {
      this.pageIndex[i] = intern(item.event.page, this.pages, this.pageIds);
      this.eventTimes[i] = item.event.eventTime;
    }
    this.count++;
  }

  private grow(): void {
    const n = this.wall.length * 2;
    this.wall = grown(this.wall, new Float64Array(n));
    this.eventTimes = grown(this.eventTimes, new Float64Array(n));
    this.partitions = grown(this.partitions, new Uint8Array(n));
    this.offsets = grown(this.offsets, new Uint32Array(n));
    this.keyIndex = grown(this.keyIndex, new Int32Array(n));
    this.pageIndex = grown(this.pageIndex, new Int16Array(n));
    this.valueEnd = grown(this.valueEnd, new Float64Array(n));
  }
}

function grown<T extends Float64Array | Uint8Array | Uint32Array | Int32Array | Int16Array>(old: T, bigger: T): T {
  bigger.set(old as never); // same element type: `set` accepts it (the union defeats TypeScript's overloads)
  return bigger;
}

function intern(s: string, list: string[], ids: Map<string, number>): number {
  let id = ids.get(s);
  if (id === undefined) {
    id = list.length;
    list.push(s);
    ids.set(s, id);
  }
  return id;
}
