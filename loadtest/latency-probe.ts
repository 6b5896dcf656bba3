// The load test's WebSocket client: subscribes to every result and, as each frame arrives, turns
// results into end-to-end latencies (arrival − intended send time of the events they include):
// - a page-views result (update, final or late) whose count is c includes the first c events of
//   its (partition, page, window) in partition order: each newly included one is measured once,
//   so this is "the first update that includes it";
// - a pattern alert is measured from the event that completed it (its last event; for a cart
//   abandonment, which completes when its timeout passes, from that deadline).
// Events due before the warm-up's end count in the per-second figures only (Scenario.warmupS).
// The same results are measured a second time from when the generator sent the events
// (SendTimes.sent): the pipeline's share, without the generator's own lateness. Cart abandonments
// are left out of that: their deadline passes with whichever later event moves the watermark, so
// no send time of theirs is free of the generator's lateness.
// Durable results (everything but updates) are kept by id for the oracle check. A frame's arrival
// is stamped by the FrameReceiver's own thread, as it comes in; the probe runs on a thread of its
// own too (ProbeThread). `fanout`'s measuring clients measure their alerts here as well.
import type { DeliveredResult, ServerMessage } from '../gateway/protocol.ts';
import { CART_ABANDONMENT, CART_TIMEOUT_MS } from '../actors/patterns/index.ts';
import { PAGE_VIEWS } from '../actors/analytics/index.ts';
import { LatencyRecorder } from './report/latency-recorder.ts';
import type { SendTimes } from './send-times.ts';

export const now = (): number => performance.timeOrigin + performance.now();

export class LatencyProbe {
  readonly updates = new LatencyRecorder();
  readonly alerts = new LatencyRecorder();
  /**
   * The same results measured from when the generator sent the events (SendTimes.sent), not from
   * when they were due: the pipeline's share of the latency, the generator's lateness left out.
   */
  readonly updatesFromSend = new LatencyRecorder();
  readonly alertsFromSend = new LatencyRecorder();
  /** Updates and alerts together, for judging a step of the `max` scenario as a whole. */
  readonly combined = new LatencyRecorder();
  /** Alerts at `fanout`'s measuring clients (from the due time of the event that completed them). */
  readonly fanoutAlerts = new LatencyRecorder(false);
  fanoutFrames = 0;
  /** id → result JSON (without the trace id), for the oracle. */
  readonly durable = new Map<string, string>();
  duplicates = 0;
  updatesReceived = 0;
  frames = 0;
  lastResultAt = 0;
  /** Results that point at events this run did not send (another pipeline's, or a bug). */
  unmatched = 0;
  lagged = 0;

  constructor(
    private readonly times: SendTimes,
    /** Event-time range of this run: results outside it belong to other pipelines sharing NATS. */
    private readonly fromMs: number,
    /** Events due before this (wall ms) are warm-up: not in the overall figures. */
    private readonly measureFromMs: number,
  ) {}

  /** A frame of the probe's client (subscribed to every result), which arrived at `at`. */
  onFrame(text: string, at: number): void {
    const msg = JSON.parse(text) as ServerMessage;
    if (msg.type === 'lagged') this.lagged += msg.conflated + msg.dropped;
    if (msg.type !== 'batch') return;
    this.frames++;
    for (const r of msg.items) this.onResult(r, at);
  }

  /** A frame of one of `fanout`'s measuring clients: only its alerts are measured. */
  onFanoutFrame(text: string, at: number): void {
    this.fanoutFrames++;
    const msg = JSON.parse(text) as ServerMessage;
    if (msg.type !== 'batch') return;
    for (const r of msg.items) {
      const last = r.kind === 'pattern' ? r.offsets[r.offsets.length - 1] : undefined;
      const due = last === undefined ? undefined : this.times.timeOf(r.partition, last);
      if (due !== undefined) this.fanoutAlerts.record(at - due, due >= this.measureFromMs);
    }
  }

  private onResult(r: DeliveredResult, at: number): void {
    if ((r.kind === 'window' ? r.windowEnd : r.endTime) < this.fromMs) return;
    this.lastResultAt = at;
    if (r.kind === 'window') {
      if (r.analytic === PAGE_VIEWS) this.measureWindow(r.partition, r.key, r.windowStart, r.values.count ?? 0, at, r.trigger);
      if (r.trigger === 'update') {
        this.updatesReceived++;
        return;
      }
    } else {
      const last = r.offsets[r.offsets.length - 1];
      const sent = last === undefined ? undefined : this.times.timeOf(r.partition, last);
      if (last === undefined || sent === undefined) this.unmatched++;
      else {
        // A cart abandonment completes when its timeout passes, not when its last event is sent.
        const abandonment = r.pattern === CART_ABANDONMENT;
        const due = abandonment ? Math.max(sent, r.startTime + CART_TIMEOUT_MS) : sent;
        const measured = due >= this.measureFromMs;
        this.alerts.record(at - due, measured);
        this.combined.record(at - due, measured);
        const sentAt = abandonment ? undefined : this.times.sentAt(r.partition, last);
        if (sentAt !== undefined) this.alertsFromSend.record(at - sentAt, measured);
      }
    }
    const { traceId: _traceId, ...result } = r;
    if (this.durable.has(r.id)) this.duplicates++;
    this.durable.set(r.id, JSON.stringify(result));
  }

  private measureWindow(partition: number, page: string, start: number, count: number, at: number, trigger: string): void {
    const w = this.times.pageWindow(partition, page, start);
    if (!w) return; // already forgotten after its final firing (an update that arrived late)
    const upTo = Math.min(count, w.offsets.length);
    for (let i = w.included; i < upTo; i++) {
      const offset = w.offsets[i]!;
      const due = this.times.timeOf(partition, offset)!; // recorded with the window
      const measured = due >= this.measureFromMs;
      this.updates.record(at - due, measured);
      this.combined.record(at - due, measured);
      const sentAt = this.times.sentAt(partition, offset);
      if (sentAt !== undefined) this.updatesFromSend.record(at - sentAt, measured);
    }
    if (upTo > w.included) w.included = upTo;
    if (count > w.offsets.length) this.unmatched++;
    if (trigger === 'final' && w.included === w.offsets.length) this.times.forget(partition, page, start);
  }
}
