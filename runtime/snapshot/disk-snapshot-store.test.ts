import { expect } from 'chai';
import * as fsp from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSnapshotStore, encodeSnapshotId } from './disk-snapshot-store.ts';
import type { SnapshotFs } from './disk-snapshot-store.ts';
import { SnapshotError } from './snapshot-store.ts';
import type { SnapshotEvent } from './snapshot-store.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined): string | undefined => (data === undefined ? undefined : new TextDecoder().decode(data));

async function failure(promise: Promise<unknown>): Promise<SnapshotError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(SnapshotError);
  return error as SnapshotError;
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

describe('DiskSnapshotStore', () => {
  let dir: string;
  let events: SnapshotEvent[];
  const store = (options: { keep?: number; fs?: SnapshotFs; chunkBytes?: number } = {}): DiskSnapshotStore =>
    new DiskSnapshotStore({ dir, fsync: true, onEvent: (e) => events.push(e), ...options });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtap-snap-'));
    events = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves, loads the latest, lists newest first and keeps the last K', async () => {
    const s = store({ keep: 2, chunkBytes: 3 });
    expect(await s.loadLatest('events-3')).to.equal(undefined);
    const first = await s.save('events-3', bytes('one'), { offset: 10 });
    expect(first).to.include({ id: 'events-3', seq: 1, size: 3 });
    expect(first.checksum).to.match(/^[0-9a-f]{64}$/);
    await s.save('events-3', bytes('two'));
    await s.save('events-3', bytes('three, longer than one chunk'), { offset: 30 });
    const loaded = await s.loadLatest('events-3');
    expect(text(loaded?.bytes)).to.equal('three, longer than one chunk');
    expect(loaded?.info).to.include({ seq: 3 });
    expect(loaded?.info.meta).to.deep.equal({ offset: 30 });
    expect(loaded?.skipped).to.deep.equal([]);
    expect((await s.list('events-3')).map((i) => i.seq)).to.deep.equal([3, 2]);
    expect(await readdir(join(dir, 'events-3'))).to.deep.equal(['000000000002.snap', '000000000003.snap']);
    expect(await s.prune('events-3', 1)).to.equal(1);
    expect((await s.list('events-3')).map((i) => i.seq)).to.deep.equal([3]);
    expect(events.filter((e) => e.type === 'saved')).to.have.length(3);
  });

  it('sanitizes ids for file names (no traversal, reversible, distinct)', async () => {
    expect(encodeSnapshotId('events-3')).to.equal('events-3');
    expect(encodeSnapshotId('../etc/passwd')).to.equal('%2E%2E%2Fetc%2Fpasswd');
    expect(encodeSnapshotId('a/b')).to.not.equal(encodeSnapshotId('a_b'));
    expect(encodeSnapshotId('x'.repeat(500)).length).to.be.lessThan(200);
    const s = store();
    await s.save('../evil id', bytes('x'));
    expect(await readdir(dir)).to.deep.equal(['%2E%2E%2Fevil%20id']);
    expect(text((await s.loadLatest('../evil id'))?.bytes)).to.equal('x');
  });

  it('serializes concurrent writers of one id (no interleaving, distinct seqs)', async () => {
    const s = store({ keep: 10, chunkBytes: 7 });
    const payloads = Array.from({ length: 8 }, (_, i) => bytes(String(i).repeat(100 + i)));
    const infos = await Promise.all(payloads.map((p) => s.save('shared', p)));
    expect(infos.map((i) => i.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    // every file verifies (a torn interleaving would break checksums)
    const fresh = store({ keep: 10 });
    for (let seq = 8; seq >= 1; seq--) {
      const loaded = await fresh.loadLatest('shared');
      expect(loaded?.info.seq).to.equal(seq);
      expect(text(loaded?.bytes)).to.equal(String(seq - 1).repeat(100 + seq - 1));
      await rm(join(dir, 'shared', `${String(seq).padStart(12, '0')}.snap`));
    }
  });

  it('falls back to the previous snapshot when the newest is corrupt, and reports it', async () => {
    const s = store();
    await s.save('p', bytes('good'));
    await s.save('p', bytes('newer'));
    const newest = join(dir, 'p', '000000000002.snap');
    const raw = await readFile(newest);
    raw[raw.length - 33] = (raw[raw.length - 33] ?? 0) ^ 0xff; // flip the last payload byte
    await writeFile(newest, raw);
    const loaded = await s.loadLatest('p');
    expect(text(loaded?.bytes)).to.equal('good');
    expect(loaded?.skipped).to.have.length(1);
    expect(loaded?.skipped[0]).to.include({ seq: 2, reason: 'checksum mismatch', location: newest });
    expect(events.find((e) => e.type === 'corrupt')).to.include({ id: 'p', seq: 2, location: newest });
  });

  describe('a crash at any point of a write never loses the previous good snapshot', () => {
    // Cut points by byte class: inside the 16-byte prefix, inside the header JSON, at its end,
    // inside the payload, at its end (before the digest), inside the digest, one short of complete.
    const cuts = (full: number, headerEnd: number, payloadEnd: number): number[] => [
      0, 1, 8, 15, 16, 17, headerEnd - 1, headerEnd, headerEnd + 1, Math.floor((headerEnd + payloadEnd) / 2), payloadEnd - 1, payloadEnd, payloadEnd + 16, full - 1,
    ];

    async function newSnapshotImage(): Promise<{ image: Buffer; headerEnd: number; payloadEnd: number }> {
      const scratchDir = await mkdtemp(join(tmpdir(), 'rtap-snap-scratch-'));
      try {
        const scratch = new DiskSnapshotStore({ dir: scratchDir });
        await scratch.save('p', bytes('good'));
        await scratch.save('p', bytes('the new state '.repeat(50)));
        const image = await readFile(join(scratchDir, 'p', '000000000002.snap'));
        const headerEnd = 16 + image.readUInt32BE(12);
        return { image, headerEnd, payloadEnd: image.length - 32 };
      } finally {
        await rm(scratchDir, { recursive: true, force: true });
      }
    }

    it('killed while writing the temp file (before rename)', async () => {
      const { image, headerEnd, payloadEnd } = await newSnapshotImage();
      const s = store();
      await s.save('p', bytes('good'));
      for (const cut of cuts(image.length, headerEnd, payloadEnd)) {
        const tmp = join(dir, 'p', `.tmp-000000000002.snap-999-${cut}`);
        await writeFile(tmp, image.subarray(0, cut));
        const loaded = await s.loadLatest('p');
        expect(text(loaded?.bytes), `cut at ${cut}`).to.equal('good');
        expect(loaded?.skipped).to.deep.equal([]);
      }
      // the next save succeeds and cleans up the leftovers
      const info = await s.save('p', bytes('after crash'));
      expect(info.seq).to.equal(2);
      expect((await readdir(join(dir, 'p'))).filter((n) => n.startsWith('.tmp'))).to.deep.equal([]);
      expect(text((await s.loadLatest('p'))?.bytes)).to.equal('after crash');
    });

    it('renamed but not durable (final file truncated by power loss)', async () => {
      const { image, headerEnd, payloadEnd } = await newSnapshotImage();
      const s = store();
      await s.save('p', bytes('good'));
      const final = join(dir, 'p', '000000000002.snap');
      for (const cut of cuts(image.length, headerEnd, payloadEnd)) {
        await writeFile(final, image);
        await truncate(final, cut);
        const loaded = await s.loadLatest('p');
        expect(text(loaded?.bytes), `cut at ${cut}`).to.equal('good');
        expect(loaded?.skipped.map((k) => k.seq), `cut at ${cut}`).to.deep.equal([2]);
      }
      await writeFile(final, image);
      expect(text((await s.loadLatest('p'))?.bytes)).to.equal('the new state '.repeat(50));
    });
  });

  describe('unusable directories fail with an error naming the path and keep the previous snapshot', () => {
    it('missing base directory', async () => {
      const missing = join(dir, 'nope');
      const s = new DiskSnapshotStore({ dir: missing });
      const error = await failure(s.save('p', bytes('x')));
      expect(error.code).to.equal('ENOENT');
      expect(error.path).to.equal(missing);
      expect(error.message).to.include(missing);
      expect((await failure(s.loadLatest('p'))).message).to.include(missing);
    });

    it('base path is a file', async () => {
      const file = join(dir, 'file');
      await writeFile(file, 'x');
      const error = await failure(new DiskSnapshotStore({ dir: file }).save('p', bytes('x')));
      expect(error.code).to.equal('ENOTDIR');
      expect(error.message).to.include(file);
    });

    it('unwritable directory (EACCES)', async () => {
      const s0 = store();
      await s0.save('p', bytes('good'));
      const fs: SnapshotFs = { ...fsp, open: (path, flags) => (String(flags) === 'wx' ? Promise.reject(errno('EACCES')) : fsp.open(path, flags)) };
      const error = await failure(store({ fs }).save('p', bytes('new')));
      expect(error.code).to.equal('EACCES');
      expect(error.message).to.include(join(dir, 'p'));
      expect(error.message).to.include('not writable');
      expect(text((await s0.loadLatest('p'))?.bytes)).to.equal('good');
    });

    it('disk full in the middle of the payload (ENOSPC)', async () => {
      const s0 = store();
      await s0.save('p', bytes('good'));
      const fs: SnapshotFs = {
        ...fsp,
        open: async (path, flags) => {
          const handle = await fsp.open(path, flags);
          if (String(flags) !== 'wx') return handle;
          let writes = 0;
          const write = handle.write.bind(handle) as (data: Uint8Array, offset: number, length: number) => Promise<{ bytesWritten: number }>;
          return Object.assign(handle, {
            write: (data: Uint8Array, offset: number, length: number) => (++writes > 2 ? Promise.reject(errno('ENOSPC')) : write(data, offset, length)),
          });
        },
      };
      const error = await failure(store({ fs, chunkBytes: 4 }).save('p', bytes('a much larger new state')));
      expect(error.code).to.equal('ENOSPC');
      expect(error.message).to.include('no space left');
      expect(error.message).to.include(join(dir, 'p', '.tmp-'));
      expect(await readdir(join(dir, 'p'))).to.deep.equal(['000000000001.snap']);
      expect(text((await s0.loadLatest('p'))?.bytes)).to.equal('good');
    });
  });
});
