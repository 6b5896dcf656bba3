// SnapshotStore on the local file system.
//
// Layout: <dir>/<encoded id>/<seq, 12 digits>.snap. File format (version 1):
//   magic "RTAPSNAP" (8) | u16 version | u16 reserved | u32 header length | header JSON
//   | payload | sha256 of everything before it (32)
// Writes go to a temp file that is fsynced, renamed into place, then the directory is fsynced,
// so a crash at any point leaves either the old set or the old set plus a complete new file.
// Payloads are hashed and written in chunks with awaits in between, so a 100 MB state does not
// block the event loop. Writers of one id are serialized in-process (one writer process per dir).
import { createHash, randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedLock } from './keyed-lock.ts';
import { SnapshotError } from './snapshot-store.ts';
import type { LoadedSnapshot, SkippedSnapshot, SnapshotEvent, SnapshotInfo, SnapshotMeta, SnapshotStore } from './snapshot-store.ts';

/** The subset of node:fs/promises used; injectable to simulate faults (ENOSPC, EACCES) in tests. */
export type SnapshotFs = Pick<typeof nodeFs, 'open' | 'rename' | 'readdir' | 'readFile' | 'rm' | 'mkdir' | 'stat'>;

export interface DiskSnapshotStoreOptions {
  /** Base directory; must exist (a missing directory is reported, not silently created). */
  readonly dir: string;
  /** Snapshots kept per id after each save (default 3). */
  readonly keep?: number;
  /** Hash/write chunk size (default 512 KiB): bounds the synchronous work per event-loop turn. */
  readonly chunkBytes?: number;
  /** Disable fsync (tests, tmpfs); durability then depends on the OS. Default true. */
  readonly fsync?: boolean;
  /** Saved, corrupt (with fallback), pruned and warning notifications. */
  readonly onEvent?: (event: SnapshotEvent) => void;
  readonly fs?: SnapshotFs;
}

const MAGIC = Buffer.from('RTAPSNAP', 'latin1');
const FORMAT_VERSION = 1;
const PREFIX_BYTES = 16;
const DIGEST_BYTES = 32;
const FILE_RE = /^(\d{12})\.snap$/;
const TMP_PREFIX = '.tmp-';

/** File-name-safe, reversible encoding of an id: [A-Za-z0-9_-] kept, everything else %XX. */
export function encodeSnapshotId(id: string): string {
  if (id.length === 0) throw new SnapshotError('snapshot id must not be empty', '', 'EINVAL');
  let out = '';
  for (const byte of Buffer.from(id, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > 200) out = `${out.slice(0, 150)}~${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
  return out;
}

const fileName = (seq: number): string => `${String(seq).padStart(12, '0')}.snap`;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Header {
  readonly v: number;
  readonly id: string;
  readonly seq: number;
  readonly createdAt: number;
  readonly size: number;
  readonly meta: SnapshotMeta;
}

class CorruptSnapshot extends Error {}

export class DiskSnapshotStore implements SnapshotStore {
  readonly dir: string;
  private readonly keep: number;
  private readonly chunkBytes: number;
  private readonly fsync: boolean;
  private readonly fs: SnapshotFs;
  private readonly onEvent: ((event: SnapshotEvent) => void) | undefined;
  private readonly lock = new KeyedLock();

  constructor(options: DiskSnapshotStoreOptions) {
    this.dir = options.dir;
    this.keep = options.keep ?? 3;
    if (!(this.keep >= 1)) throw new RangeError('keep must be >= 1');
    this.chunkBytes = options.chunkBytes ?? 1 << 19;
    this.fsync = options.fsync ?? true;
    this.fs = options.fs ?? nodeFs;
    this.onEvent = options.onEvent;
  }

  save(id: string, bytes: Uint8Array, meta: SnapshotMeta = {}): Promise<SnapshotInfo> {
    return this.lock.run(id, () => this.saveLocked(id, bytes, meta));
  }

  loadLatest(id: string): Promise<LoadedSnapshot | undefined> {
    return this.loadLatestUnlocked(id);
  }

  async list(id: string): Promise<SnapshotInfo[]> {
    const idDir = await this.idDir(id, false);
    const infos: SnapshotInfo[] = [];
    for (const seq of await this.seqs(id, idDir)) {
      try {
        infos.push(await this.readInfo(id, seq, join(idDir, fileName(seq))));
      } catch (error) {
        this.emit({ type: 'warning', id, message: `unreadable snapshot ${join(idDir, fileName(seq))}: ${String(error)}` });
      }
    }
    return infos;
  }

  prune(id: string, keep: number): Promise<number> {
    return this.lock.run(id, async () => this.pruneLocked(id, await this.idDir(id, false), keep));
  }

  // ------------------------------------------------------------------ save

  private async saveLocked(id: string, bytes: Uint8Array, meta: SnapshotMeta): Promise<SnapshotInfo> {
    const started = performance.now();
    const idDir = await this.idDir(id, true);
    const seq = ((await this.seqs(id, idDir))[0] ?? 0) + 1;
    const createdAt = Date.now();
    const header: Header = { v: FORMAT_VERSION, id, seq, createdAt, size: bytes.length, meta: { ...meta } };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const prefix = Buffer.alloc(PREFIX_BYTES);
    MAGIC.copy(prefix, 0);
    prefix.writeUInt16BE(FORMAT_VERSION, 8);
    prefix.writeUInt32BE(headerBytes.length, 12);

    const tmp = join(idDir, `${TMP_PREFIX}${fileName(seq)}-${process.pid}-${randomBytes(4).toString('hex')}`);
    const final = join(idDir, fileName(seq));
    const hash = createHash('sha256');
    let step = 'creating';
    let file: nodeFs.FileHandle | undefined;
    try {
      file = await this.fs.open(tmp, 'wx');
      step = 'writing';
      hash.update(prefix);
      hash.update(headerBytes);
      await writeAll(file, Buffer.concat([prefix, headerBytes]));
      for (let offset = 0; offset < bytes.length; offset += this.chunkBytes) {
        const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + this.chunkBytes));
        hash.update(chunk);
        await writeAll(file, chunk);
      }
      const digest = hash.digest();
      await writeAll(file, digest);
      if (this.fsync) {
        step = 'syncing';
        await file.sync();
      }
      step = 'closing';
      await file.close();
      file = undefined;
      step = 'renaming';
      await this.fs.rename(tmp, final);
      if (this.fsync) {
        step = 'syncing directory of';
        await syncDir(this.fs, idDir);
      }
      const info: SnapshotInfo = { id, seq, createdAt, size: bytes.length, checksum: digest.toString('hex'), meta: header.meta };
      try {
        await this.pruneLocked(id, idDir, this.keep);
      } catch (error) {
        this.emit({ type: 'warning', id, message: `pruning ${idDir} failed: ${String(error)}` });
      }
      this.emit({ type: 'saved', info, durationMs: performance.now() - started });
      return info;
    } catch (error) {
      await file?.close().catch(() => undefined);
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
      const path = step === 'renaming' ? final : tmp;
      throw ioError(error, `snapshot ${JSON.stringify(id)}: ${step} ${path} failed; previous snapshots are intact`, step === 'syncing directory of' ? idDir : path);
    }
  }

  private async pruneLocked(id: string, idDir: string, keep: number): Promise<number> {
    let names: string[];
    try {
      names = await this.fs.readdir(idDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw ioError(error, `snapshot ${JSON.stringify(id)}: listing`, idDir);
    }
    const seqs = parseSeqs(names);
    const doomed = seqs.slice(Math.max(0, keep));
    for (const seq of doomed) await this.fs.rm(join(idDir, fileName(seq)), { force: true });
    // Temp files are leftovers of crashed writes (writers of an id are serialized, so none is live).
    for (const name of names) if (name.startsWith(TMP_PREFIX)) await this.fs.rm(join(idDir, name), { force: true });
    if (doomed.length > 0) this.emit({ type: 'pruned', id, seqs: doomed });
    return doomed.length;
  }

  // ------------------------------------------------------------------ load

  private async loadLatestUnlocked(id: string): Promise<LoadedSnapshot | undefined> {
    const idDir = await this.idDir(id, false);
    const skipped: SkippedSnapshot[] = [];
    for (const seq of await this.seqs(id, idDir)) {
      const location = join(idDir, fileName(seq));
      try {
        const { bytes, info } = await this.readVerified(id, seq, location);
        return { bytes, info, skipped };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // pruned meanwhile
        if (!(error instanceof CorruptSnapshot)) throw ioError(error, `snapshot ${JSON.stringify(id)}: reading`, location);
        skipped.push({ seq, location, reason: error.message });
        this.emit({ type: 'corrupt', id, seq, location, reason: error.message });
      }
    }
    return undefined;
  }

  private async readVerified(id: string, seq: number, location: string): Promise<{ bytes: Uint8Array; info: SnapshotInfo }> {
    const buf = await this.fs.readFile(location);
    if (buf.length < PREFIX_BYTES + DIGEST_BYTES) throw new CorruptSnapshot(`truncated: ${buf.length} bytes`);
    if (!buf.subarray(0, 8).equals(MAGIC)) throw new CorruptSnapshot('bad magic');
    const version = buf.readUInt16BE(8);
    if (version !== FORMAT_VERSION) throw new CorruptSnapshot(`unsupported format version ${version}`);
    const headerLength = buf.readUInt32BE(12);
    const payloadStart = PREFIX_BYTES + headerLength;
    if (payloadStart + DIGEST_BYTES > buf.length) throw new CorruptSnapshot(`truncated header: ${buf.length} bytes`);
    const header = parseHeader(buf.subarray(PREFIX_BYTES, payloadStart));
    const payloadEnd = payloadStart + header.size;
    if (payloadEnd + DIGEST_BYTES !== buf.length) {
      throw new CorruptSnapshot(`length mismatch: expected ${payloadEnd + DIGEST_BYTES} bytes, found ${buf.length}`);
    }
    const hash = createHash('sha256');
    for (let offset = 0; offset < payloadEnd; offset += this.chunkBytes) {
      hash.update(buf.subarray(offset, Math.min(payloadEnd, offset + this.chunkBytes)));
      if (offset + this.chunkBytes < payloadEnd) await nextTurn();
    }
    const digest = hash.digest();
    if (!digest.equals(buf.subarray(payloadEnd))) throw new CorruptSnapshot('checksum mismatch');
    if (header.id !== id || header.seq !== seq) throw new CorruptSnapshot(`header names ${header.id}#${header.seq}, file is ${id}#${seq}`);
    const info: SnapshotInfo = { id, seq, createdAt: header.createdAt, size: header.size, checksum: digest.toString('hex'), meta: header.meta };
    return { bytes: buf.subarray(payloadStart, payloadEnd), info };
  }

  private async readInfo(id: string, seq: number, location: string): Promise<SnapshotInfo> {
    const file = await this.fs.open(location, 'r');
    try {
      const { size: fileSize } = await file.stat();
      const prefix = Buffer.alloc(PREFIX_BYTES);
      await file.read(prefix, 0, PREFIX_BYTES, 0);
      if (!prefix.subarray(0, 8).equals(MAGIC)) throw new CorruptSnapshot('bad magic');
      const headerLength = prefix.readUInt32BE(12);
      if (PREFIX_BYTES + headerLength + DIGEST_BYTES > fileSize) throw new CorruptSnapshot('truncated header');
      const headerBytes = Buffer.alloc(headerLength);
      await file.read(headerBytes, 0, headerLength, PREFIX_BYTES);
      const header = parseHeader(headerBytes);
      const digest = Buffer.alloc(DIGEST_BYTES);
      await file.read(digest, 0, DIGEST_BYTES, fileSize - DIGEST_BYTES);
      return { id, seq, createdAt: header.createdAt, size: header.size, checksum: digest.toString('hex'), meta: header.meta };
    } finally {
      await file.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The id's directory; checks the base directory so a missing/unusable one is named. */
  private async idDir(id: string, create: boolean): Promise<string> {
    const idDir = join(this.dir, encodeSnapshotId(id));
    let isDir: boolean;
    try {
      isDir = (await this.fs.stat(this.dir)).isDirectory();
    } catch (error) {
      throw ioError(error, 'snapshot directory', this.dir);
    }
    if (!isDir) throw new SnapshotError(`snapshot directory ${this.dir} is not a directory (ENOTDIR)`, this.dir, 'ENOTDIR');
    if (create) {
      try {
        await this.fs.mkdir(idDir, { recursive: true });
      } catch (error) {
        throw ioError(error, `snapshot ${JSON.stringify(id)}: creating directory`, idDir);
      }
    }
    return idDir;
  }

  /** Sequence numbers present for an id, newest first. */
  private async seqs(id: string, idDir: string): Promise<number[]> {
    try {
      return parseSeqs(await this.fs.readdir(idDir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError(error, `snapshot ${JSON.stringify(id)}: listing`, idDir);
    }
  }

  private emit(event: SnapshotEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // an observer must not break storage
    }
  }
}

function parseSeqs(names: readonly string[]): number[] {
  const seqs: number[] = [];
  for (const name of names) {
    const match = FILE_RE.exec(name);
    if (match?.[1] !== undefined) seqs.push(Number(match[1]));
  }
  return seqs.sort((a, b) => b - a);
}

function parseHeader(bytes: Uint8Array): Header {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw new CorruptSnapshot('unreadable header');
  }
  const h = header as Partial<Header> | null;
  if (h === null || typeof h !== 'object' || typeof h.size !== 'number' || typeof h.seq !== 'number' || typeof h.id !== 'string') {
    throw new CorruptSnapshot('invalid header');
  }
  return { v: h.v ?? FORMAT_VERSION, id: h.id, seq: h.seq, createdAt: h.createdAt ?? 0, size: h.size, meta: h.meta ?? {} };
}

async function writeAll(file: nodeFs.FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    offset += bytesWritten;
  }
}

async function syncDir(fs: SnapshotFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle.close();
  }
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  EACCES: 'is not writable (permission denied)',
  EPERM: 'is not writable (operation not permitted)',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'is not a directory',
};

function ioError(error: unknown, what: string, path: string): SnapshotError {
  if (error instanceof SnapshotError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  const text = ERRNO_TEXT[code] ?? (error instanceof Error ? error.message : String(error));
  const message = what.includes(path) ? `${what}: ${text} (${code})` : `${what} ${path}: ${text} (${code})`;
  return new SnapshotError(message, path, code, { cause: error });
}
