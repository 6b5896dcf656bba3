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

/**
 * The steps of one accepted event, for tracing: the window operators' onEvent, the pattern
 * operators' onEvent, and — when the event moved the watermark — every operator's onWatermark.
 */
export type EnginePhase = 'windows' | 'patterns' | 'watermark';

/** Runs each step of an event under a callback of the caller's (a span, for a traced record). */
export interface EnginePhases {
  phase(phase: EnginePhase, fn: () => void): void;
}

/** A run of consecutive operators of one kind: operators [from, to) run as one phase. */
interface PhaseRun {
  phase: 'windows' | 'patterns';
  from: number;
  to: number;
}

function phaseRunsOf(operators: readonly Operator<RtapEvent>[]): PhaseRun[] {
  const runs: PhaseRun[] = [];
  operators.forEach((op, i) => {
    const phase = op.kind === 'pattern' ? 'patterns' : 'windows';
    const last = runs[runs.length - 1];
    if (last !== undefined && last.phase === phase) last.to = i + 1;
    else runs.push({ phase, from: i, to: i + 1 });
  });
  return runs;
}

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
  /** Operators grouped into phases for traced records; computed on the first one. */
  private phaseRuns: PhaseRun[] | undefined;

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

  /** Events the operators ignored as behind their watermark (Operator.lateDropped), summed. */
  lateDroppedByOperators(): number {
    let n = 0;
    for (const op of this.operators) n += op.lateDropped?.() ?? 0;
    return n;
  }

  /** True after idleTimeout of processing time without events (see time/event-time.ts). */
  get idle(): boolean {
    return this.tracker.idle;
  }

  /**
   * One decoded event at source `offset`. Results go to `takeResults()`. With `phases` (a traced
   * record) the same work runs in steps under the caller's callbacks (see EnginePhase), in the same
   * order and with the same results; without, nothing extra happens.
   */
  process(event: RtapEvent, offset: number, phases?: EnginePhases): ProcessOutcome {
    this.lastOffset = offset;
    const admission = this.tracker.admit(event.eventTime);
    if (admission === 'accept') {
      this.accepted++;
      if (phases !== undefined) {
        this.processInPhases(event, offset, phases);
        return 'accepted';
      }
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

  /**
   * Processing time: 'update' results (values so far) for the open windows that changed since the
   * last call, into `takeResults()`. Speculative; the deterministic results do not depend on it.
   */
  emitUpdates(): void {
    const ops = this.operators;
    for (let i = 0; i < ops.length; i++) ops[i]!.takeUpdates?.(this.emit);
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

  /** process() of a traced record: consecutive operators of one kind run as one phase. */
  private processInPhases(event: RtapEvent, offset: number, phases: EnginePhases): void {
    const ops = this.operators;
    for (const run of (this.phaseRuns ??= phaseRunsOf(ops))) {
      phases.phase(run.phase, () => {
        for (let i = run.from; i < run.to; i++) (ops[i] as Operator<RtapEvent>).onEvent(event, offset, this.emit);
      });
    }
    if (this.tracker.observe(event.eventTime)) phases.phase('watermark', () => this.fireWatermark());
  }

  private fireWatermark(): void {
    const wm = this.tracker.watermark;
    const ops = this.operators;
    for (let i = 0; i < ops.length; i++) (ops[i] as Operator<RtapEvent>).onWatermark(wm, this.emit);
  }
}
