// The analytics of one source partition: validates decoded events against event-time rules,
// tracks the watermark, feeds every operator (window analytics and CEP patterns), collects their
// results, and routes late and rejected events to side outputs. Synchronous and I/O-free: the
// partition actor drives it and drains results; the same input always gives the same output.

import type { RtapEvent } from '../events/types.ts';
import type { RejectReason } from '../events/errors.ts';
import type { Emit, Operator, OperatorContext } from '../operator.ts';
import type { AnalyticsResult } from '../results.ts';
import type { EventTimeOptions, ResolvedEventTimeOptions, WatermarkState } from '../time/event-time.ts';
import type { WindowAnalyticsOptions } from '../analytics/index.ts';
import { resolveEventTimeOptions, WatermarkTracker } from '../time/event-time.ts';
import { builtInWindowAnalytics } from '../analytics/index.ts';
import { frameSnapshot, unframeSnapshot } from './snapshot-format.ts';

export type OperatorFactory = (ctx: OperatorContext, time: ResolvedEventTimeOptions) => Operator<RtapEvent>[];

export interface EngineOptions extends EventTimeOptions {
  partition: number;
  /** Parameters of the built-in window analytics. */
  analytics?: WindowAnalyticsOptions;
  /**
   * The operators to run. Default: the built-in window analytics. Add the CEP patterns with
   * `withPatterns` (engine/operators.ts) or any custom set.
   */
  operators?: OperatorFactory;
}

export type ProcessOutcome = 'accepted' | 'late' | RejectReason;

/** Side output: an event later than watermark − allowedLateness. Counted, never aggregated. */
export interface LateEvent {
  event: RtapEvent;
  offset: number;
  watermark: number;
}

/** Side output for the DLQ: a decodable event that is bad input. */
export interface RejectedEvent {
  event: RtapEvent;
  offset: number;
  reason: RejectReason;
}

interface EngineHeader {
  partition: number;
  operators: string[];
  time: WatermarkState;
  lastOffset: number;
  counters: [accepted: number, late: number, rejected: number];
}

export class AnalyticsEngine {
  readonly partition: number;
  readonly time: ResolvedEventTimeOptions;
  private readonly tracker: WatermarkTracker;
  private readonly operators: Operator<RtapEvent>[];
  private results: AnalyticsResult[] = [];
  private late: LateEvent[] = [];
  private rejected: RejectedEvent[] = [];
  private readonly emit: Emit = (r) => {
    this.results.push(r);
  };
  private lastOffset = -1;
  private accepted = 0;
  private lateCount = 0;
  private rejectedCount = 0;

  constructor(opts: EngineOptions) {
    this.partition = opts.partition;
    this.time = resolveEventTimeOptions(opts);
    this.tracker = new WatermarkTracker(this.time);
    const ctx: OperatorContext = { partition: opts.partition };
    this.operators = opts.operators
      ? opts.operators(ctx, this.time)
      : builtInWindowAnalytics(ctx, this.time.allowedLatenessMs, opts.analytics);
    const names = new Set(this.operators.map((op) => op.name));
    if (names.size !== this.operators.length) throw new Error('operator names must be unique (they key the snapshot)');
  }

  get watermark(): number {
    return this.tracker.watermark;
  }

  /** True after idleTimeout of processing time without events (see time/event-time.ts). */
  get idle(): boolean {
    return this.tracker.idle;
  }

  /** One decoded event at source `offset`. Results go to `takeResults()`. */
  process(event: RtapEvent, offset: number): ProcessOutcome {
    this.lastOffset = offset;
    const admission = this.tracker.admit(event.eventTime);
    if (admission === 'accept') {
      this.accepted++;
      const ops = this.operators;
      for (let i = 0; i < ops.length; i++) (ops[i] as Operator<RtapEvent>).onEvent(event, offset, this.emit);
      if (this.tracker.observe(event.eventTime)) this.fireWatermark();
      return 'accepted';
    }
    if (admission === 'late') {
      this.lateCount++;
      this.late.push({ event, offset, watermark: this.tracker.watermark });
      this.tracker.observe(event.eventTime);
      return 'late';
    }
    this.rejectedCount++;
    this.rejected.push({ event, offset, reason: admission });
    return admission;
  }

  /** Processing-time tick (call it periodically): idleness may advance the watermark. */
  tick(): void {
    if (this.tracker.checkIdle()) this.fireWatermark();
  }

  /** Forces the watermark forward, e.g. Infinity-like at the end of a bounded input. */
  advanceWatermark(watermark: number): void {
    if (this.tracker.advanceTo(watermark)) this.fireWatermark();
  }

  takeResults(): AnalyticsResult[] {
    const out = this.results;
    this.results = [];
    return out;
  }

  takeLate(): LateEvent[] {
    const out = this.late;
    this.late = [];
    return out;
  }

  takeRejected(): RejectedEvent[] {
    const out = this.rejected;
    this.rejected = [];
    return out;
  }

  /** Offset of the last event processed (-1 before any); restored with the snapshot. */
  get offset(): number {
    return this.lastOffset;
  }

  /** Whole-engine state: watermark and every operator. Undrained outputs are not included. */
  snapshot(): Uint8Array {
    const header: EngineHeader = {
      partition: this.partition,
      operators: this.operators.map((op) => op.name),
      time: this.tracker.state(),
      lastOffset: this.lastOffset,
      counters: [this.accepted, this.lateCount, this.rejectedCount],
    };
    return frameSnapshot(header, this.operators.map((op) => op.snapshot()));
  }

  restore(bytes: Uint8Array): void {
    const { header, parts } = unframeSnapshot<EngineHeader>(bytes);
    if (header.partition !== this.partition) throw new Error(`snapshot of partition ${header.partition} restored into partition ${this.partition}`);
    const names = this.operators.map((op) => op.name);
    if (header.operators.join(',') !== names.join(',')) throw new Error(`snapshot operators [${header.operators.join(', ')}] differ from [${names.join(', ')}]`);
    this.operators.forEach((op, i) => op.restore(parts[i] as Uint8Array));
    this.tracker.restoreState(header.time);
    this.lastOffset = header.lastOffset;
    [this.accepted, this.lateCount, this.rejectedCount] = header.counters;
    this.results = [];
    this.late = [];
    this.rejected = [];
  }

  stats(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {
      engine: {
        watermark: this.tracker.watermark,
        idle: this.tracker.idle ? 1 : 0,
        accepted: this.accepted,
        late: this.lateCount,
        rejected: this.rejectedCount,
        lastOffset: this.lastOffset,
      },
    };
    for (const op of this.operators) out[op.name] = op.stats();
    return out;
  }

  private fireWatermark(): void {
    const wm = this.tracker.watermark;
    const ops = this.operators;
    for (let i = 0; i < ops.length; i++) (ops[i] as Operator<RtapEvent>).onWatermark(wm, this.emit);
  }
}
