// When each event was due (its intended send time) and when the generator actually sent it, indexed
// the two ways results point back at events: by (partition, offset) for pattern alerts, and per
// page-views window for window results, whose `count` says how many of that window's events, in
// partition order, they include. Latency is measured from the due time (open loop: a late generator
// cannot hide it); the send time splits that latency into the generator's own lateness and the
// pipeline's share.
import { PAGE_VIEWS_WINDOW_MS } from '../actors/analytics/index.ts';
import { LatencyRecorder } from './report/latency-recorder.ts';

/** A page view's window bookkeeping: its page and event time. */
export interface PageViewOf {
  page: string;
  eventTime: number;
}

/** The events of one page-views (partition, page, window), in partition order (their due and send times: timeOf, sentAt). */
export interface WindowEvents {
  offsets: number[];
  /** How many of them a result has already included (and were measured). */
  included: number;
}

export class SendTimes {
  private readonly dueByPartition: Float64Array[] = [];
  private readonly sentByPartition: Float64Array[] = [];
  private readonly windows = new Map<string, WindowEvents>();
  /**
   * Each event's due time → its request handed to the Kafka client: the producer's linger plus the
   * load generator's own lateness (its busy thread, a core, a garbage collection). Overall only: no
   * one reads it per second, and it records every event on the generator's sending thread.
   */
  readonly lateness = new LatencyRecorder(false);

  /** `measureFromMs`: the lateness of events due before it (the warm-up) is left out. */
  constructor(private readonly measureFromMs = Number.NEGATIVE_INFINITY) {}

  /**
   * Records that the record at (partition, offset), due at `due`, left in a request at `at`; in send
   * order (a page-views window lists its events in partition order). `pageView`: the record is one.
   */
  sent(partition: number, offset: number, due: number, at: number, pageView?: PageViewOf): void {
    setAt(this.dueByPartition, partition, offset, due);
    setAt(this.sentByPartition, partition, offset, at);
    this.lateness.record(at - due, due >= this.measureFromMs);
    if (pageView) {
      const start = Math.floor(pageView.eventTime / PAGE_VIEWS_WINDOW_MS) * PAGE_VIEWS_WINDOW_MS;
      const key = windowKey(partition, pageView.page, start);
      let w = this.windows.get(key);
      if (!w) this.windows.set(key, (w = { offsets: [], included: 0 }));
      w.offsets.push(offset);
    }
  }

  /** Due time of the record at (partition, offset), or undefined if it was not sent. */
  timeOf(partition: number, offset: number): number | undefined {
    return valueAt(this.dueByPartition, partition, offset);
  }

  /** When the record at (partition, offset) was sent, or undefined if it was not. */
  sentAt(partition: number, offset: number): number | undefined {
    return valueAt(this.sentByPartition, partition, offset);
  }

  pageWindow(partition: number, page: string, windowStart: number): WindowEvents | undefined {
    return this.windows.get(windowKey(partition, page, windowStart));
  }

  /** A window that has fired for good: forget its events (bounded memory in long runs). */
  forget(partition: number, page: string, windowStart: number): void {
    this.windows.delete(windowKey(partition, page, windowStart));
  }
}

const windowKey = (partition: number, page: string, start: number): string => `${partition}\u0000${page}\u0000${start}`;

/** Per-partition arrays indexed by offset, grown by doubling; 0 means "none". */
function setAt(arrays: Float64Array[], partition: number, offset: number, value: number): void {
  let a = arrays[partition];
  if (!a || a.length <= offset) {
    const grown = new Float64Array(Math.max(1024, offset * 2));
    if (a) grown.set(a);
    arrays[partition] = a = grown;
  }
  a[offset] = value;
}

function valueAt(arrays: Float64Array[], partition: number, offset: number): number | undefined {
  const a = arrays[partition];
  return a && offset < a.length && a[offset] !== 0 ? a[offset] : undefined;
}
