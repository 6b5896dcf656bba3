// When each event was due (its intended send time), indexed the two ways results point back at
// events: by (partition, offset) for pattern alerts, and per page-views window for window results,
// whose `count` says how many of that window's events, in partition order, they include.
import type { PageViewOf } from './prepared-load.ts';
import { PAGE_VIEWS_WINDOW_MS } from '../actors/analytics/index.ts';

/** The due times of one page-views (partition, page, window), in partition order. */
export interface WindowEvents {
  times: number[];
  /** How many of them a result has already included (and were measured). */
  included: number;
}

export class SendTimes {
  private readonly byPartition: Float64Array[] = [];
  private readonly windows = new Map<string, WindowEvents>();

  /** Records the due time of the record at (partition, offset); call before sending it, in send order. */
  register(partition: number, offset: number, wallTime: number, pageView: PageViewOf | undefined): void {
    let times = this.byPartition[partition];
    if (!times || times.length <= offset) {
      const grown = new Float64Array(Math.max(1024, offset * 2));
      if (times) grown.set(times);
      this.byPartition[partition] = times = grown;
    }
    times[offset] = wallTime;
    if (pageView) {
      const start = Math.floor(pageView.eventTime / PAGE_VIEWS_WINDOW_MS) * PAGE_VIEWS_WINDOW_MS;
      const key = windowKey(partition, pageView.page, start);
      let w = this.windows.get(key);
      if (!w) this.windows.set(key, (w = { times: [], included: 0 }));
      w.times.push(wallTime);
    }
  }

  /** Due time of the record at (partition, offset), or undefined if it was not sent. */
  timeOf(partition: number, offset: number): number | undefined {
    const times = this.byPartition[partition];
    return times && offset < times.length && times[offset] !== 0 ? times[offset] : undefined;
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
