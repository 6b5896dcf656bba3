// One Kafka partition's analytics: decodes its records, runs the engine, sends results and dead
// letters out, and checkpoints. Restores its latest snapshot on (re)start and asks the source to
// seek just past it, so a crash replays exactly what the snapshot does not cover.
//
// Checkpoint order (what makes results exactly-once with de-duplicating sinks):
//   1. take the state bytes at offset N (synchronously: a consistent cut),
//   2. flush results and dead letters emitted up to N (they are durable downstream),
//   3. save the snapshot (durable), 4. commit N+1 to Kafka, 5. prune old snapshots.
// A crash anywhere replays from the previous durable snapshot and re-emits results with the
// same ids, which NATS (Nats-Msg-Id) and InfluxDB (point identity) absorb.
import { Actor, type ActorRef } from '../../runtime/index.ts';
import { isDecodeError, type EventCodec } from '../events/index.ts';
import type { AnalyticsEngine } from '../engine/index.ts';
import type { DeadLetter, PartitionPorts, RecordPhases, SourceRecord } from './ports.ts';

export type PartitionMsg =
  | { type: 'records'; epoch: number; records: SourceRecord[] }
  | { type: 'checkpoint' }
  | { type: 'tick' }
  | { type: 'updates' }
  | { type: 'revoke'; replyTo: ActorRef<CheckpointOutcome> }
  | { type: 'status'; replyTo: ActorRef<PartitionState> };

export interface CheckpointOutcome {
  ok: boolean;
  /** The next offset the checkpoint covers (committed), if one was taken. */
  nextOffset?: number;
  error?: string;
}

export interface PartitionState {
  partition: number;
  /** Next offset to process. */
  nextOffset: number;
  watermark: number | null;
  processed: number;
  late: number;
  /** Events the pattern operators ignored as behind their watermark (windows may still count them). */
  patternLate: number;
  deadLettered: number;
  lastSnapshotAt: number | null;
  lastSnapshotBytes: number | null;
  lastCheckpointError: string | null;
}

export interface PartitionActorOptions {
  partition: number;
  /** Snapshot id: one per source partition, e.g. `events-3`. */
  snapshotId: string;
  createEngine(partition: number): AnalyticsEngine;
  codec: EventCodec;
  ports: PartitionPorts;
  checkpointIntervalMs: number;
  /** Processing-time tick for idleness detection. */
  tickIntervalMs: number;
  /**
   * 'update' results of open windows at most this long after the events they include (processing
   * time; coalesces everything processed meanwhile into one update per key). 0 = no updates.
   */
  updateIntervalMs: number;
  /** A record that fails the handler this many times is dead-lettered on the next attempt. */
  maxFailures: number;
  keepSnapshots: number;
  /**
   * How long a revoke waits for its checkpoint (whose results must be delivered first) before it
   * answers that the checkpoint failed and stops the actor anyway: with a sink down, an actor
   * waiting on it could never stop. Nothing of that checkpoint is saved or committed afterwards,
   * so the partition's next owner replays from the last one.
   */
  revokeTimeoutMs: number;
}

export class PartitionActor extends Actor<PartitionMsg> {
  private engine: AnalyticsEngine;
  private epoch = -1;
  /** Last offset consumed (processed, dead-lettered or skipped); -1 before any. */
  private lastOffset = -1;
  private checkpointedOffset = -1;
  private inFlight: Promise<CheckpointOutcome> | undefined;
  /** Set when a revoke gave up waiting for the checkpoint: none may save or commit after it. */
  private abandoned = false;
  private processed = 0;
  private late = 0;
  /** The operators' own count when this actor started (it is part of the restored state). */
  private patternLateBase = 0;
  private deadLettered = 0;
  private lastSnapshotAt: number | null = null;
  private lastSnapshotBytes: number | null = null;
  private lastCheckpointError: string | null = null;
  /** An 'updates' timer is pending. */
  private updatesDue = false;
  /** The interval slot (processing time, a multiple of the interval) of the last emission of updates. */
  private lastUpdatesSlot = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: PartitionActorOptions) {
    super();
    this.engine = opts.createEngine(opts.partition);
  }

  override async preStart(): Promise<void> {
    const { ports, snapshotId, partition } = this.opts;
    const loaded = await ports.snapshots.loadLatest(snapshotId);
    for (const s of loaded?.skipped ?? []) this.context.log.warn('corrupt snapshot skipped', { partition, seq: s.seq, location: s.location, reason: s.reason });
    let restored = false;
    if (loaded) {
      try {
        this.engine.restore(loaded.bytes);
        this.lastOffset = Number(loaded.info.meta.offset ?? this.engine.offset);
        this.checkpointedOffset = this.lastOffset;
        this.lastSnapshotAt = loaded.info.createdAt;
        this.lastSnapshotBytes = loaded.info.size;
        restored = true;
      } catch (err) {
        // Intact bytes this version cannot read (e.g. written by an incompatible release): do not
        // crash-loop on it. Rebuild the state from the partition's beginning instead; the results
        // re-emitted on the way have the ids they had, so downstream drops the copies.
        this.engine = this.opts.createEngine(partition);
        this.context.log.error('snapshot cannot be restored; rebuilding the state from the beginning of the partition', {
          partition, id: snapshotId, seq: loaded.info.seq, error: (err as Error).message,
        });
      }
    }
    this.patternLateBase = this.engine.lateDroppedByOperators();
    // Without a usable snapshot the state is empty, so the input is read from its beginning.
    this.epoch = ports.source.seek(partition, restored ? this.lastOffset + 1 : undefined);
    // Partitions assigned together would otherwise snapshot in the same event-loop turn every
    // interval (a stall of all their snapshot times at once): each starts at its own phase.
    const interval = this.opts.checkpointIntervalMs;
    this.context.timers.startPeriodic('checkpoint', { type: 'checkpoint' }, interval, interval * checkpointPhase(partition));
    this.context.timers.startPeriodic('tick', { type: 'tick' }, this.opts.tickIntervalMs);
    ports.exposeState?.(() => this.state());
    this.context.log.info('partition started', { partition, from: restored ? this.lastOffset + 1 : 'beginning', snapshotSeq: restored ? loaded!.info.seq : null });
  }

  async receive(msg: PartitionMsg): Promise<void> {
    switch (msg.type) {
      case 'records':
        if (msg.epoch === this.epoch) await this.consume(msg.records);
        return;
      case 'tick':
        this.engine.tick();
        await this.drain();
        return;
      case 'updates':
        this.updatesDue = false;
        this.emitUpdates();
        await this.drain();
        return;
      case 'checkpoint':
        void this.checkpoint();
        return;
      case 'revoke': {
        const outcome = await this.checkpointWithin(this.opts.revokeTimeoutMs);
        msg.replyTo.tell(outcome);
        this.context.stopSelf();
        return;
      }
      case 'status':
        msg.replyTo.tell(this.state());
        return;
    }
  }

  state(): PartitionState {
    return {
      partition: this.opts.partition,
      nextOffset: this.lastOffset + 1,
      watermark: this.processed > 0 || this.lastOffset >= 0 ? this.engine.watermark : null,
      processed: this.processed,
      late: this.late,
      patternLate: this.engine.lateDroppedByOperators() - this.patternLateBase,
      deadLettered: this.deadLettered,
      lastSnapshotAt: this.lastSnapshotAt,
      lastSnapshotBytes: this.lastSnapshotBytes,
      lastCheckpointError: this.lastCheckpointError,
    };
  }

  private async consume(records: SourceRecord[]): Promise<void> {
    const { failures, maxFailures, tracer } = { failures: this.opts.ports.failures, maxFailures: this.opts.maxFailures, tracer: this.opts.ports.tracer };
    let full = false;
    for (const record of records) {
      if (record.offset <= this.lastOffset) continue; // already covered by the restored state
      if ((failures.get(record.offset) ?? 0) >= maxFailures) {
        failures.delete(record.offset);
        this.deadLetter(record, 'handler-failed', `failed the handler ${maxFailures} times in a row`);
      } else {
        try {
          if (record.traceparent && tracer) {
            // A traced record: its results leave with the span's context, so the trace goes on.
            // Results of the untraced records before it leave first, without that context.
            if (!this.offerResults(undefined)) full = true;
            tracer.around(this.opts.partition, record, (traceparent) => {
              this.process(record);
              if (!this.offerResults(traceparent)) full = true;
            });
          } else {
            this.process(record);
          }
        } catch (err) {
          // Count, then fail: the supervisor restarts this actor from its last snapshot (the
          // engine state may be half-updated), and the replay meets this record again.
          failures.set(record.offset, (failures.get(record.offset) ?? 0) + 1);
          throw err;
        }
        failures.delete(record.offset);
      }
      this.lastOffset = record.offset;
    }
    if (!this.updatesDue && this.opts.updateIntervalMs > 0) this.updatesNowOrLater();
    if (!this.offerResults(undefined)) full = true;
    if (full) await this.waitForRoom();
  }

  /**
   * Updates leave at most once per interval slot (the multiples of the interval): at once when the
   * last ones left in an earlier slot (a quiet partition's first event is visible without waiting),
   * otherwise at the start of the next slot, so no update waits longer than the interval. The slots
   * make a busy node's partitions emit in the same timer turn, so their updates leave in one NATS
   * message (NatsResultSink batches per turn).
   */
  private updatesNowOrLater(): void {
    const now = this.context.clock.now();
    const slot = this.updatesSlot(now);
    // A clock stepped backwards counts as quiet: it must not hold updates back for the step.
    if (slot !== this.lastUpdatesSlot) {
      this.emitUpdates();
      return;
    }
    this.updatesDue = true;
    this.context.timers.startSingle('updates', { type: 'updates' }, slot + this.opts.updateIntervalMs - now);
  }

  private updatesSlot(now: number): number {
    return Math.floor(now / this.opts.updateIntervalMs) * this.opts.updateIntervalMs;
  }

  /** Into the engine's results; the caller offers them. */
  private emitUpdates(): void {
    this.lastUpdatesSlot = this.updatesSlot(this.context.clock.now());
    this.engine.emitUpdates();
  }

  private process(record: SourceRecord): void {
    const { tracer } = this.opts.ports;
    try {
      // A record being traced runs its steps through the tracer (child spans); every other record
      // takes the plain path: no closure, and no tracer call without a trace context.
      this.decodeAndRun(record, record.traceparent === undefined ? undefined : tracer?.phases?.());
    } catch (err) {
      // The supervisor restarts the actor and the replay meets this record again; errors are always traced.
      tracer?.failed?.(this.opts.partition, record, err);
      throw err;
    }
  }

  private decodeAndRun(record: SourceRecord, phases: RecordPhases | undefined): void {
    const value = record.value;
    if (value === null) {
      this.deadLetter(record, 'undecodable', 'record has no value');
      return;
    }
    const codec = this.opts.codec;
    let event;
    try {
      event = phases === undefined ? codec.decode(value) : phases.phase('decode', () => codec.decode(value));
    } catch (err) {
      if (!isDecodeError(err)) throw err;
      this.deadLetter(record, err.reason, err.message);
      return;
    }
    this.processed++;
    const outcome = this.engine.process(event, record.offset, phases);
    if (outcome === 'late') this.late++;
    else if (outcome !== 'accepted') this.deadLetter(record, outcome, `eventTime ${event.eventTime}`);
  }

  /** Moves engine output to the ports. False: a sink is full, so the caller waits for it (and the partition pauses). */
  private offerResults(traceparent: string | undefined): boolean {
    const { results } = this.opts.ports;
    let room = true;
    for (const r of this.engine.takeResults()) if (!results.offer(r, traceparent)) room = false;
    // Side outputs are handled as each event is processed (see process); these only keep the
    // engine's buffers from growing.
    this.engine.takeRejected();
    this.engine.takeLate();
    return room;
  }

  private async drain(): Promise<void> {
    if (!this.offerResults(undefined)) await this.waitForRoom();
  }

  /**
   * Backpressure: downstream is full, so wait until it has taken what was offered. A sink closed at
   * shutdown rejects the wait: stop waiting, so this actor can take its revoke (whose checkpoint,
   * flushing the same sink, fails and commits nothing: the results are replayed by the next owner).
   */
  private async waitForRoom(): Promise<void> {
    await this.opts.ports.results.flush().catch(() => undefined);
  }

  private deadLetter(record: SourceRecord, reason: string, detail: string): void {
    this.deadLettered++;
    const letter: DeadLetter = { partition: this.opts.partition, offset: record.offset, value: record.value, reason, detail };
    if (record.traceparent !== undefined) letter.traceparent = record.traceparent;
    this.opts.ports.deadLetters.send(letter);
  }

  /** A checkpoint, or its failure once `ms` have passed; a checkpoint given up never saves or commits. */
  private checkpointWithin(ms: number): Promise<CheckpointOutcome> {
    const { clock } = this.context;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        this.abandoned = true;
        resolve({ ok: false, error: `checkpoint not done within ${ms} ms (results not delivered); given up, nothing committed` });
      }, ms);
      void this.checkpoint().then((outcome) => {
        clock.clearTimeout(timer);
        resolve(outcome);
      });
    });
  }

  /** Runs at most one checkpoint at a time; processing goes on while it completes. */
  private checkpoint(): Promise<CheckpointOutcome> {
    if (this.inFlight) return this.inFlight.then(() => this.checkpoint());
    if (this.lastOffset === this.checkpointedOffset) return Promise.resolve({ ok: true, nextOffset: this.lastOffset + 1 });
    const { ports, partition, snapshotId, keepSnapshots } = this.opts;
    const offset = this.lastOffset;
    const bytes = this.engine.snapshot();
    const meta = { offset, watermark: this.engine.watermark };
    this.inFlight = (async (): Promise<CheckpointOutcome> => {
      try {
        await Promise.all([ports.results.flush(), ports.deadLetters.flush()]);
        // Delivered after its revoke gave it up: the partition may have another owner by now.
        if (this.abandoned) throw new Error('checkpoint given up by the revoke before its results were delivered');
        const info = await ports.snapshots.save(snapshotId, bytes, meta);
        await ports.source.commit(partition, offset + 1);
        this.checkpointedOffset = offset;
        this.lastSnapshotAt = info.createdAt;
        this.lastSnapshotBytes = info.size;
        this.lastCheckpointError = null;
        await ports.snapshots.prune(snapshotId, keepSnapshots);
        return { ok: true, nextOffset: offset + 1 };
      } catch (err) {
        this.lastCheckpointError = (err as Error).message;
        this.context.log.error('checkpoint failed', { partition, offset, error: this.lastCheckpointError });
        return { ok: false, error: this.lastCheckpointError };
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}

/**
 * Where in the checkpoint interval a partition's first checkpoint falls, in (0, 1]: the golden
 * ratio's fractional multiples spread any number of consecutive partitions evenly, whatever the
 * partition count (which a partition actor does not know).
 */
export function checkpointPhase(partition: number): number {
  return 1 - (((partition + 1) * 0.6180339887498949) % 1);
}
