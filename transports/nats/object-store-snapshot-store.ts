// Snapshots in a NATS JetStream Object Store, for nodes on different hosts: whichever node is
// assigned a partition next finds its state here. Objects are named `<id>/<seq>`; the store's
// SHA-256 digest is verified on read, and an object becomes visible only once all its chunks are
// written, so a node killed mid-save leaves the previous snapshot as the latest.
import { StorageType, type NatsConnection, type ObjectInfo, type ObjectStore } from 'nats';
import {
  SnapshotError,
  type LoadedSnapshot,
  type SkippedSnapshot,
  type SnapshotInfo,
  type SnapshotMeta,
  type SnapshotStore,
} from '../../runtime/snapshot/snapshot-store.ts';

export interface ObjectStoreSnapshotOptions {
  bucket: string;
  /** Chunk size for large snapshots (JetStream messages are at most 1 MiB by default). */
  chunkBytes?: number;
}

interface Parsed {
  obj: ObjectInfo;
  info: SnapshotInfo;
}

export class ObjectStoreSnapshotStore implements SnapshotStore {
  private store: Promise<ObjectStore> | undefined;
  /** Saves of one id run one after another, so their sequence numbers never collide. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: ObjectStoreSnapshotOptions,
  ) {}

  private os(): Promise<ObjectStore> {
    this.store ??= this.nc
      .jetstream()
      .views.os(this.opts.bucket, { storage: StorageType.File })
      .catch((err: unknown) => {
        this.store = undefined;
        throw new SnapshotError(`cannot open object store ${this.opts.bucket}: ${(err as Error).message}`, this.opts.bucket, 'EIO', { cause: err });
      });
    return this.store;
  }

  save(id: string, bytes: Uint8Array, meta: SnapshotMeta = {}): Promise<SnapshotInfo> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.saveNow(id, bytes, meta));
    this.chains.set(id, next);
    return next;
  }

  private async saveNow(id: string, bytes: Uint8Array, meta: SnapshotMeta): Promise<SnapshotInfo> {
    const os = await this.os();
    const existing = await this.parsedList(id);
    const seq = (existing[0]?.info.seq ?? 0) + 1;
    const createdAt = Date.now();
    const name = `${id}/${seq}`;
    try {
      const obj = await os.putBlob(
        {
          name,
          metadata: { seq: String(seq), createdAt: String(createdAt), meta: JSON.stringify(meta) },
          options: { max_chunk_size: this.opts.chunkBytes ?? 512 * 1024 },
        },
        bytes,
      );
      return { id, seq, createdAt, size: obj.size, checksum: obj.digest, meta };
    } catch (err) {
      throw new SnapshotError(`cannot save snapshot ${name} to object store ${this.opts.bucket}: ${(err as Error).message}`, `${this.opts.bucket}/${name}`, 'EIO', { cause: err });
    }
  }

  async loadLatest(id: string): Promise<LoadedSnapshot | undefined> {
    const os = await this.os();
    const skipped: SkippedSnapshot[] = [];
    for (const { obj, info } of await this.parsedList(id)) {
      const location = `${this.opts.bucket}/${obj.name}`;
      try {
        const bytes = await os.getBlob(obj.name); // verifies the SHA-256 digest
        if (bytes === null) throw new Error('object vanished');
        if (bytes.length !== info.size) throw new Error(`size ${bytes.length}, expected ${info.size}`);
        return { bytes, info, skipped };
      } catch (err) {
        skipped.push({ seq: info.seq, location, reason: (err as Error).message });
      }
    }
    return undefined;
  }

  async list(id: string): Promise<SnapshotInfo[]> {
    return (await this.parsedList(id)).map((p) => p.info);
  }

  async prune(id: string, keep: number): Promise<number> {
    const os = await this.os();
    const old = (await this.parsedList(id)).slice(Math.max(0, keep));
    for (const p of old) await os.delete(p.obj.name);
    return old.length;
  }

  private async parsedList(id: string): Promise<Parsed[]> {
    const os = await this.os();
    const prefix = `${id}/`;
    const out: Parsed[] = [];
    for (const obj of await os.list()) {
      if (obj.deleted || !obj.name.startsWith(prefix)) continue;
      const seq = Number(obj.metadata?.seq ?? obj.name.slice(prefix.length));
      if (!Number.isSafeInteger(seq)) continue;
      let meta: SnapshotMeta = {};
      try {
        meta = JSON.parse(obj.metadata?.meta ?? '{}') as SnapshotMeta;
      } catch {
        /* metadata is advisory; the bytes are what matter */
      }
      out.push({ obj, info: { id, seq, createdAt: Number(obj.metadata?.createdAt ?? Date.parse(obj.mtime)), size: obj.size, checksum: obj.digest, meta } });
    }
    return out.sort((a, b) => b.info.seq - a.info.seq);
  }
}
