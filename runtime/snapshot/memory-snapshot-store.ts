// In-memory SnapshotStore for tests and ephemeral deployments.
import { createHash } from 'node:crypto';
import type { LoadedSnapshot, SnapshotInfo, SnapshotMeta, SnapshotStore } from './snapshot-store.ts';

export class MemorySnapshotStore implements SnapshotStore {
  private readonly data = new Map<string, { bytes: Uint8Array; info: SnapshotInfo }[]>();

  constructor(private readonly keep = 3) {}

  save(id: string, bytes: Uint8Array, meta: SnapshotMeta = {}): Promise<SnapshotInfo> {
    const entries = this.data.get(id) ?? [];
    const seq = (entries.at(-1)?.info.seq ?? 0) + 1;
    const info: SnapshotInfo = {
      id,
      seq,
      createdAt: Date.now(),
      size: bytes.length,
      checksum: createHash('sha256').update(bytes).digest('hex'),
      meta: { ...meta },
    };
    entries.push({ bytes: Uint8Array.from(bytes), info });
    this.data.set(id, entries.slice(-this.keep));
    return Promise.resolve(info);
  }

  loadLatest(id: string): Promise<LoadedSnapshot | undefined> {
    const latest = this.data.get(id)?.at(-1);
    return Promise.resolve(latest === undefined ? undefined : { bytes: Uint8Array.from(latest.bytes), info: latest.info, skipped: [] });
  }

  list(id: string): Promise<SnapshotInfo[]> {
    return Promise.resolve((this.data.get(id) ?? []).map((e) => e.info).reverse());
  }

  prune(id: string, keep: number): Promise<number> {
    const entries = this.data.get(id) ?? [];
    const removed = Math.max(0, entries.length - keep);
    this.data.set(id, entries.slice(removed));
    return Promise.resolve(removed);
  }
}
