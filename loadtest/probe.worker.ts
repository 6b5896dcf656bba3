// ProbeThread's thread: the SendTimes of every request the main thread sent, and the LatencyProbe
// that measures the receivers' frames against them, each frame once the main thread's messages
// cover its arrival time.
import { parentPort, workerData } from 'node:worker_threads';
import type { StampedFrame } from './frame-receiver.ts';
import { LatencyProbe } from './latency-probe.ts';
import { SENT_ROW, type ProbeMessage, type ProbeOptions, type ProbeResults } from './probe-thread.ts';
import { SendTimes } from './send-times.ts';
import { answerCalls } from './worker-calls.ts';

/** One port's frames, in arrival order, until the sends before them are registered. */
class HeldFrames {
  private frames: StampedFrame[] = [];
  private head = 0;

  constructor(private readonly measure: (f: StampedFrame) => void) {}

  /** `reportedUntil`: the main thread has reported every request that left before it. */
  add(f: StampedFrame, reportedUntil: number): void {
    if (f.at <= reportedUntil && this.head === this.frames.length) this.measure(f);
    else this.frames.push(f);
  }

  release(reportedUntil: number): void {
    while (this.head < this.frames.length && this.frames[this.head]!.at <= reportedUntil) this.measure(this.frames[this.head++]!);
    if (this.head === this.frames.length) {
      this.frames = [];
      this.head = 0;
    }
  }
}

const { fromMs, measureFromMs, probeFrames, fanoutFrames } = workerData as ProbeOptions;
const times = new SendTimes(measureFromMs);
const probe = new LatencyProbe(times, fromMs, measureFromMs);
const pages: string[] = [];
/** The main thread has reported every request that left before this (the `now()` clock). */
let reportedUntil = Number.NEGATIVE_INFINITY;
const held = [new HeldFrames((f) => probe.onFrame(f.text, f.at)), new HeldFrames((f) => probe.onFanoutFrame(f.text, f.at))] as const;

answerCalls<ProbeMessage>(parentPort!, (m) => {
  if (m.type === 'sent') register(m.rows, m.newPages, m.until);
  reportedUntil = Math.max(reportedUntil, m.until);
  for (const h of held) h.release(reportedUntil);
  switch (m.type) {
    case 'sent':
      return undefined;
    case 'intervals':
      return { updates: probe.updates.takeInterval(), alerts: probe.alerts.takeInterval() };
    case 'combinedInterval':
      return probe.combined.takeInterval();
    case 'lastResultAt':
      return probe.lastResultAt;
    case 'results':
      return {
        updates: probe.updates.summary(),
        alerts: probe.alerts.summary(),
        updatesFromSend: probe.updatesFromSend.summary(),
        alertsFromSend: probe.alertsFromSend.summary(),
        lateness: times.lateness.summary(),
        fanoutAlerts: probe.fanoutAlerts.summary(),
        durable: probe.durable,
        duplicates: probe.duplicates,
        unmatched: probe.unmatched,
        lagged: probe.lagged,
        updatesReceived: probe.updatesReceived,
        frames: probe.frames,
        fanoutFrames: probe.fanoutFrames,
      } satisfies ProbeResults;
  }
});
probeFrames.on('message', (f: StampedFrame) => held[0].add(f, reportedUntil));
fanoutFrames?.on('message', (f: StampedFrame) => held[1].add(f, reportedUntil));

function register(rows: Float64Array, newPages: string[], at: number): void {
  pages.push(...newPages);
  for (let r = 0; r < rows.length; r += SENT_ROW) {
    const pageId = rows[r + 3]!;
    times.sent(rows[r]!, rows[r + 1]!, rows[r + 2]!, at, pageId < 0 ? undefined : { page: pages[pageId]!, eventTime: rows[r + 4]! });
  }
}
