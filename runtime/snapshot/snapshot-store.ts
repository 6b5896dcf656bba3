// Backend-neutral snapshot storage. Small and async so other backends (e.g. NATS JetStream
// Object Store) can implement it. Snapshots of one id are numbered by an increasing `seq`.

export type SnapshotMeta = Readonly<Record<string, string | number | boolean>>;

export interface SnapshotInfo {
  readonly id: string;
  readonly seq: number;
  /** Epoch ms when saved. */
  readonly createdAt: number;
  /** Payload size in bytes. */
  readonly size: number;
  /** Backend-specific integrity checksum (disk: sha256 hex of header + payload). */
  readonly checksum: string;
  readonly meta: SnapshotMeta;
}

/** A newer snapshot that could not be used. */
export interface SkippedSnapshot {
  readonly seq: number;
  readonly location: string;
  readonly reason: string;
}

export interface LoadedSnapshot {
  readonly bytes: Uint8Array;
  readonly info: SnapshotInfo;
  /** Newer snapshots that were corrupt and skipped (newest first); empty normally. */
  readonly skipped: readonly SkippedSnapshot[];
}

export type SnapshotEvent =
  | { readonly type: 'saved'; readonly info: SnapshotInfo; readonly durationMs: number }
  | { readonly type: 'corrupt'; readonly id: string; readonly seq: number; readonly location: string; readonly reason: string }
  | { readonly type: 'pruned'; readonly id: string; readonly seqs: readonly number[] }
  | { readonly type: 'warning'; readonly id: string; readonly message: string };

export interface SnapshotStore {
  /** Atomically stores a new snapshot (previous ones stay intact on failure). */
  save(id: string, bytes: Uint8Array, meta?: SnapshotMeta): Promise<SnapshotInfo>;
  /** Newest valid snapshot; corrupt newer ones are reported and skipped. */
  loadLatest(id: string): Promise<LoadedSnapshot | undefined>;
  /** Stored snapshots, newest first (not verified). */
  list(id: string): Promise<SnapshotInfo[]>;
  /** Deletes all but the newest `keep`; returns how many were deleted. */
  prune(id: string, keep: number): Promise<number>;
}

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    message: string,
    /** The file or directory involved. */
    readonly path: string,
    /** The underlying errno code (ENOENT, EACCES, ENOSPC, ...) or 'EINVAL'. */
    readonly code: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}
