// The latency probe (LatencyProbe and the SendTimes it reads) on a thread of its own. On the
// load-test process's main thread, parsing and matching every frame took about as long as sending
// the load (~150 ms a second at 10 000 events/s), and a request fell due while the thread was busy
// with frames: the generator's lateness, which counts as latency. Now the main thread only sends;
// it tells this thread what each request held and when it left, the receivers hand their stamped
// frames straight to it (FrameReceiver.frames), and the run asks it for figures.
//
// Frames and sends come over different ports, in no guaranteed order between them: a frame waits
// until the main thread's messages cover its arrival time (every message carries the time up to
// which the main thread has reported its sends), so its results never meet events not yet
// registered.
import type { MessagePort } from 'node:worker_threads';
import type { LatencySummary } from './report/types.ts';
import type { PreparedLoad } from './prepared-load.ts';
import { now } from './latency-probe.ts';
import { startTsWorker } from './ts-worker.ts';
import { WorkerCalls } from './worker-calls.ts';

/** Per event of a request: partition, offset, due time, pageId (−1: not a page view), event time. */
export const SENT_ROW = 5;

/** `until`: every request that left before it has been reported (a `sent` reports up to its own `at`). */
export type ProbeMessage =
  | { type: 'sent'; until: number; rows: Float64Array; newPages: string[] }
  | { type: 'intervals'; until: number }
  | { type: 'combinedInterval'; until: number }
  | { type: 'lastResultAt'; until: number }
  | { type: 'results'; until: number };

export interface ProbeIntervals {
  updates: LatencySummary | null;
  alerts: LatencySummary | null;
}

export interface ProbeResults {
  updates: LatencySummary;
  alerts: LatencySummary;
  updatesFromSend: LatencySummary;
  alertsFromSend: LatencySummary;
  /** The generator's lateness, due → sent. */
  lateness: LatencySummary;
  fanoutAlerts: LatencySummary;
  /** id → result JSON, for the oracle. */
  durable: Map<string, string>;
  duplicates: number;
  unmatched: number;
  lagged: number;
  updatesReceived: number;
  frames: number;
  fanoutFrames: number;
}

export interface ProbeOptions {
  /** Event-time start of this run: results before it belong to other pipelines sharing NATS. */
  fromMs: number;
  /** Events due before this (wall ms) are warm-up: not in the overall figures. */
  measureFromMs: number;
  /** The latency probe's frames (FrameReceiver.frames), and those of `fanout`'s measuring clients. */
  probeFrames: MessagePort;
  fanoutFrames?: MessagePort;
}

export class ProbeThread {
  private pagesSent = 0;

  private constructor(private readonly calls: WorkerCalls<ProbeMessage>) {}

  static start(options: ProbeOptions): ProbeThread {
    const ports = [options.probeFrames, ...(options.fanoutFrames ? [options.fanoutFrames] : [])];
    return new ProbeThread(new WorkerCalls(startTsWorker(new URL('./probe.worker.ts', import.meta.url), options, ports), 'latency probe'));
  }

  /** The events `batch` (indices into `load`) left in one request at `at`; in send order. */
  sent(load: PreparedLoad, batch: readonly number[], at: number): void {
    const rows = new Float64Array(batch.length * SENT_ROW);
    for (let j = 0, r = 0; j < batch.length; j++, r += SENT_ROW) {
      const i = batch[j]!;
      rows[r] = load.partition(i);
      rows[r + 1] = load.offset(i);
      rows[r + 2] = load.wallTime(i);
      rows[r + 3] = load.pageId(i);
      rows[r + 4] = load.eventTime(i);
    }
    const pages = load.pageNames;
    const newPages = pages.length > this.pagesSent ? pages.slice(this.pagesSent) : [];
    this.pagesSent = pages.length;
    this.calls.post({ type: 'sent', until: at, rows, newPages }, [rows.buffer as ArrayBuffer]);
  }

  /** Updates and alerts measured since the previous call (each second's figures). */
  intervals(): Promise<ProbeIntervals> {
    return this.calls.call({ type: 'intervals', until: now() });
  }

  /** Updates and alerts together since the previous call (a `max` step). */
  combinedInterval(): Promise<LatencySummary | null> {
    return this.calls.call({ type: 'combinedInterval', until: now() });
  }

  /** When the last result of this run arrived (the `now()` clock; 0: none yet). */
  lastResultAt(): Promise<number> {
    return this.calls.call({ type: 'lastResultAt', until: now() });
  }

  /** Everything measured so far. */
  results(): Promise<ProbeResults> {
    return this.calls.call({ type: 'results', until: now() });
  }

  close(): Promise<void> {
    return this.calls.close();
  }
}
