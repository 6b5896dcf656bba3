// Runtime micro-benchmarks. Prints a table and, as the last line, one JSON object.
//   npm run bench:runtime            (re-executes itself with --expose-gc for the memory figure)
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Actor, ActorSystem, DiskSnapshotStore, silentLogger } from '../index.ts';
import type { ActorRef } from '../index.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
const collect = gc as () => void;

const quick = process.argv.includes('--quick');

class Counter extends Actor<number> {
  count = 0;
  target = 0;
  done: (() => void) | undefined;
  receive(_msg: number): void {
    if (++this.count === this.target) this.done?.();
  }
}

type AskMsg = { readonly n: number; readonly replyTo: ActorRef<number> };
class Echo extends Actor<AskMsg> {
  receive(msg: AskMsg): void {
    msg.replyTo.tell(msg.n);
  }
}

class Idle extends Actor<number> {
  receive(): void {}
}

async function benchTell(messages: number): Promise<number> {
  const system = new ActorSystem({ logger: silentLogger });
  let counter: Counter | undefined;
  const chunk = 100_000;
  const ref = system.spawn(() => (counter = new Counter()), { mailbox: { capacity: chunk } });
  const c = counter as Counter;
  let best = 0;
  for (let round = 0; round < 3; round++) {
    c.count = 0;
    c.target = messages;
    const finished = new Promise<void>((resolve) => (c.done = resolve));
    const start = performance.now();
    for (let sent = 0; sent < messages; sent += chunk) {
      // one sender: fill up to a chunk, then let the receiver drain it
      for (let i = 0; i < chunk; i++) ref.tell(i);
      while (ref.mailbox.depth > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await finished;
    best = Math.max(best, messages / ((performance.now() - start) / 1000));
  }
  await system.terminate();
  return best;
}

/** Both ends are actors: the sender sends bursts of 1,000 and re-schedules itself. */
async function benchTellActorToActor(messages: number): Promise<number> {
  const system = new ActorSystem({ logger: silentLogger });
  let counter: Counter | undefined;
  const receiver = system.spawn(() => (counter = new Counter()), { mailbox: { capacity: 1 << 16 } });
  const c = counter as Counter;
  class Sender extends Actor<'go'> {
    sent = 0;
    receive(): void {
      if (receiver.mailbox.depth > 30_000) {
        this.context.self.tell('go'); // let the receiver catch up
        return;
      }
      for (let i = 0; i < 1000 && this.sent < messages; i++) receiver.tell(this.sent++);
      if (this.sent < messages) this.context.self.tell('go');
    }
  }
  let best = 0;
  for (let round = 0; round < 3; round++) {
    c.count = 0;
    c.target = messages;
    const finished = new Promise<void>((resolve) => (c.done = resolve));
    const start = performance.now();
    system.spawn(() => new Sender()).tell('go');
    await finished;
    best = Math.max(best, messages / ((performance.now() - start) / 1000));
  }
  await system.terminate();
  return best;
}

async function benchAsk(asks: number, concurrency: number): Promise<number> {
  const system = new ActorSystem({ logger: silentLogger });
  const echo = system.spawn(() => new Echo());
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    let issued = 0;
    const worker = async (): Promise<void> => {
      while (issued < asks) {
        const n = issued++;
        await echo.ask<number>((replyTo) => ({ n, replyTo }));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    best = Math.max(best, asks / ((performance.now() - start) / 1000));
  }
  await system.terminate();
  return best;
}

async function benchSpawnAndMemory(actors: number): Promise<{ spawnPerSec: number; bytesPerIdleActor: number }> {
  const system = new ActorSystem({ logger: silentLogger });
  const factory = (): Idle => new Idle();
  collect();
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  const refs: ActorRef<number>[] = new Array<ActorRef<number>>(actors);
  for (let i = 0; i < actors; i++) refs[i] = system.spawn(factory);
  const spawnPerSec = actors / ((performance.now() - start) / 1000);
  await new Promise<void>((resolve) => setImmediate(resolve));
  collect();
  const after = process.memoryUsage().heapUsed;
  // the refs array itself (8 bytes per slot) is the benchmark's, not the runtime's
  const bytesPerIdleActor = (after - before - actors * 8) / actors;
  await system.terminate();
  refs.length = 0;
  return { spawnPerSec, bytesPerIdleActor };
}

async function benchSnapshot(megabytes: number): Promise<{ snapshotMBps: number; loadMBps: number; maxEventLoopStallMs: number; fsync: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'rtap-bench-'));
  const store = new DiskSnapshotStore({ dir, keep: 2 });
  const state = Buffer.alloc(megabytes * 1024 * 1024);
  for (let i = 0; i < state.length; i += 4096) state.writeUInt32LE((i * 2654435761) >>> 0, i);
  await new Promise<void>((resolve) => setImmediate(resolve));
  collect(); // do not bill earlier benchmarks' garbage to the snapshot

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let maxGap = 0;
  let last = performance.now();
  const interval = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last - 5);
    last = now;
  }, 5);
  histogram.enable();
  const t0 = performance.now();
  await store.save('bench-0', state);
  const saveSec = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const loaded = await store.loadLatest('bench-0');
  const loadSec = (performance.now() - t1) / 1000;
  histogram.disable();
  clearInterval(interval);
  if (loaded?.bytes.length !== state.length) throw new Error('snapshot round trip failed');
  await rm(dir, { recursive: true, force: true });
  const histogramMaxMs = histogram.max / 1e6 - 1;
  return { snapshotMBps: megabytes / saveSec, loadMBps: megabytes / loadSec, maxEventLoopStallMs: Math.max(maxGap, histogramMaxMs), fsync: true };
}

const tellPerSec = await benchTell(quick ? 1_000_000 : 5_000_000);
const tellActorToActorPerSec = await benchTellActorToActor(quick ? 1_000_000 : 5_000_000);
const askPerSec = await benchAsk(quick ? 50_000 : 300_000, 100);
const { spawnPerSec, bytesPerIdleActor } = await benchSpawnAndMemory(100_000);
const snap = await benchSnapshot(quick ? 20 : 100);

const results = {
  node: process.version,
  tellPerSec: Math.round(tellPerSec),
  tellActorToActorPerSec: Math.round(tellActorToActorPerSec),
  askPerSec: Math.round(askPerSec),
  spawnPerSec: Math.round(spawnPerSec),
  bytesPerIdleActor: Math.round(bytesPerIdleActor),
  snapshotMBps: Math.round(snap.snapshotMBps),
  snapshotLoadMBps: Math.round(snap.loadMBps),
  snapshotSizeMB: quick ? 20 : 100,
  maxEventLoopStallMs: Math.round(snap.maxEventLoopStallMs * 10) / 10,
};
console.table([
  { metric: 'tells/s (1 sender → 1 receiver)', value: results.tellPerSec, target: '≥ 5,000,000' },
  { metric: 'tells/s (sender actor → receiver actor)', value: results.tellActorToActorPerSec, target: '≥ 5,000,000' },
  { metric: 'asks/s (100 in flight)', value: results.askPerSec, target: '' },
  { metric: 'spawns/s', value: results.spawnPerSec, target: '' },
  { metric: 'bytes per idle actor (100k)', value: results.bytesPerIdleActor, target: '≤ 1024' },
  { metric: `snapshot save MB/s (${results.snapshotSizeMB} MB, fsync)`, value: results.snapshotMBps, target: '' },
  { metric: 'snapshot load+verify MB/s', value: results.snapshotLoadMBps, target: '' },
  { metric: 'max event-loop stall during save+load (ms)', value: results.maxEventLoopStallMs, target: '≤ 50' },
]);
console.log(JSON.stringify(results));
