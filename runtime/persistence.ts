// Snapshot persistence for one actor: restore on start, snapshot every N messages and/or every
// T ms and on a normal stop. Not on a crash: the crashed incarnation's state is suspect, so the
// next incarnation restores the last good snapshot instead.
import type { ActorContext, LifecycleExtension, StopReason } from './actor.ts';
import type { TimerHandle } from './clock.ts';
import { errorMessage } from './errors.ts';
import type { LoadedSnapshot, SnapshotInfo, SnapshotMeta, SnapshotStore } from './snapshot/snapshot-store.ts';

export interface PersistenceOptions {
  readonly store: SnapshotStore;
  /** Snapshot id, e.g. `events-3`. */
  readonly id: string;
  /** Serializes the current state. Called synchronously at snapshot time (consistent view). */
  readonly serialize: () => Uint8Array;
  readonly meta?: () => SnapshotMeta;
  /** Snapshot after this many processed messages (checked after each batch). */
  readonly everyMessages?: number;
  /** Snapshot every this many ms (actor clock). */
  readonly everyMs?: number;
  /** Snapshot when the actor stops normally (default true). */
  readonly onStop?: boolean;
}

export interface PersistenceStats {
  readonly saved: number;
  readonly failed: number;
  readonly lastSaved: SnapshotInfo | undefined;
  readonly lastError: string | undefined;
  readonly messagesSinceSnapshot: number;
}

/**
 * Create in the actor (constructor or preStart), call `restore()` in preStart — messages wait in
 * the mailbox until preStart settles. Snapshots start only after restore(), so a fresh incarnation
 * never overwrites the last good snapshot with its empty initial state.
 */
export class Persistence implements LifecycleExtension {
  private restored = false;
  private disposed = false;
  private sinceSnapshot = 0;
  private timer: TimerHandle = undefined;
  private inFlight: Promise<SnapshotInfo | undefined> | undefined;
  private saved = 0;
  private failed = 0;
  private lastSaved: SnapshotInfo | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly ctx: ActorContext<never>,
    private readonly options: PersistenceOptions,
  ) {
    ctx.addExtension(this);
  }

  static attach<M>(ctx: ActorContext<M>, options: PersistenceOptions): Persistence {
    return new Persistence(ctx as unknown as ActorContext<never>, options);
  }

  get stats(): PersistenceStats {
    return { saved: this.saved, failed: this.failed, lastSaved: this.lastSaved, lastError: this.lastError, messagesSinceSnapshot: this.sinceSnapshot };
  }

  /** Loads the latest good snapshot (undefined if none) and enables periodic snapshots. */
  async restore(): Promise<LoadedSnapshot | undefined> {
    const loaded = await this.options.store.loadLatest(this.options.id);
    if (loaded !== undefined && loaded.skipped.length > 0) {
      this.ctx.log.warn('newest snapshot(s) corrupt; restored an older one', {
        id: this.options.id,
        restoredSeq: loaded.info.seq,
        skipped: loaded.skipped,
      });
    }
    this.lastSaved = loaded?.info;
    this.restored = true;
    this.armTimer();
    return loaded;
  }

  /** Takes a snapshot now (coalesced with one already in flight). */
  async snapshot(): Promise<SnapshotInfo | undefined> {
    if (this.inFlight !== undefined) await this.inFlight;
    if (!this.restored) return undefined;
    const { store, id, serialize, meta } = this.options;
    this.sinceSnapshot = 0;
    let bytes: Uint8Array;
    try {
      bytes = serialize();
    } catch (error) {
      this.recordFailure(error);
      return undefined;
    }
    const run = store.save(id, bytes, meta?.()).then(
      (info) => {
        this.saved++;
        this.lastSaved = info;
        return info;
      },
      (error: unknown) => {
        this.recordFailure(error);
        return undefined;
      },
    );
    this.inFlight = run;
    try {
      return await run;
    } finally {
      if (this.inFlight === run) this.inFlight = undefined;
    }
  }

  afterMessages(messages: number): void {
    this.sinceSnapshot += messages;
    const every = this.options.everyMessages;
    if (every !== undefined && this.sinceSnapshot >= every && this.restored && this.inFlight === undefined) void this.snapshot();
  }

  async onStop(reason: StopReason): Promise<void> {
    this.dispose();
    if (this.inFlight !== undefined) await this.inFlight;
    if (reason === 'stopped' && this.restored && this.options.onStop !== false) await this.snapshot();
  }

  onRestart(): void {
    this.dispose();
  }

  private dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private armTimer(): void {
    const everyMs = this.options.everyMs;
    if (everyMs === undefined || this.disposed) return;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.disposed) return;
      void this.snapshot().finally(() => this.armTimer());
    }, everyMs);
  }

  private recordFailure(error: unknown): void {
    this.failed++;
    this.lastError = errorMessage(error);
    this.ctx.log.warn('snapshot failed', { id: this.options.id, path: this.ctx.path, error: this.lastError });
  }
}
