import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor } from './actor.ts';
import type { ActorRef } from './actor.ts';
import { Persistence } from './persistence.ts';
import type { PersistenceOptions } from './persistence.ts';
import { DiskSnapshotStore } from './snapshot/disk-snapshot-store.ts';
import { MemorySnapshotStore } from './snapshot/memory-snapshot-store.ts';
import type { SnapshotStore } from './snapshot/snapshot-store.ts';
import { Supervision } from './supervision.ts';
import { flush, testSystem, until } from './test-helpers.ts';

type Msg =
  | { readonly type: 'add'; readonly n: number }
  | { readonly type: 'crash' }
  | { readonly type: 'get'; readonly replyTo: ActorRef<number> }
  | { readonly type: 'restored'; readonly total: number };

const encode = (n: number): Uint8Array => new TextEncoder().encode(String(n));
const decode = (b: Uint8Array): number => Number(new TextDecoder().decode(b));

/** A partition-like actor: sums numbers, snapshots its total, restores it on (re)start. */
function summer(store: SnapshotStore, options: Partial<PersistenceOptions>, incarnations: Summer[]): () => Summer {
  return () => {
    const s = new Summer(store, options);
    incarnations.push(s);
    return s;
  };
}

class Summer extends Actor<Msg> {
  total = 0;
  readonly persistence: Persistence;
  constructor(store: SnapshotStore, options: Partial<PersistenceOptions>) {
    super();
    this.persistence = Persistence.attach(this.context, { store, id: 'sum-1', serialize: () => encode(this.total), ...options });
  }
  override async preStart(): Promise<void> {
    const loaded = await this.persistence.restore();
    if (loaded !== undefined) this.total = decode(loaded.bytes);
  }
  receive(msg: Msg): void {
    if (msg.type === 'add') this.total += msg.n;
    else if (msg.type === 'crash') throw new Error('crash');
    else if (msg.type === 'get') msg.replyTo.tell(this.total);
  }
}

const get = (ref: ActorRef<Msg>): Promise<number> => ref.ask<number>((replyTo) => ({ type: 'get', replyTo }));

describe('Persistence', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rtap-persist-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('crash-restart cycle: the new incarnation restores the latest snapshot', async () => {
    const { system } = testSystem();
    const store = new DiskSnapshotStore({ dir });
    const incarnations: Summer[] = [];
    const ref = system.spawn(summer(store, { everyMessages: 3 }, incarnations), { supervision: Supervision.restart() });
    for (let i = 1; i <= 4; i++) ref.tell({ type: 'add', n: i });
    await until(() => incarnations[0]?.persistence.stats.saved === 1);
    expect(decode((await store.loadLatest('sum-1'))?.bytes ?? encode(-1))).to.equal(10);
    ref.tell({ type: 'add', n: 100 }); // not yet snapshotted: lost by the crash, by design
    ref.tell({ type: 'crash' });
    ref.tell({ type: 'add', n: 5 });
    expect(await get(ref)).to.equal(15);
    expect(incarnations).to.have.length(2);
    expect(system.inspectOne(ref)?.restarts).to.equal(1);
    await system.terminate();
    // stopped normally: a final snapshot holds the last state
    expect(decode((await store.loadLatest('sum-1'))?.bytes ?? encode(-1))).to.equal(15);
  });

  it('snapshots every T ms on the actor clock, and not before restore()', async () => {
    const { system, clock } = testSystem();
    const store = new MemorySnapshotStore();
    const incarnations: Summer[] = [];
    const ref = system.spawn(summer(store, { everyMs: 1_000, onStop: false }, incarnations));
    ref.tell({ type: 'add', n: 7 });
    await flush();
    clock.advance(999);
    await flush();
    expect(await store.list('sum-1')).to.have.length(0);
    clock.advance(1);
    await until(() => incarnations[0]?.persistence.stats.saved === 1);
    ref.tell({ type: 'add', n: 1 });
    await flush();
    clock.advance(1_000);
    await until(() => incarnations[0]?.persistence.stats.saved === 2);
    expect(decode((await store.loadLatest('sum-1'))?.bytes ?? encode(-1))).to.equal(8);
    await system.terminate();
    expect(await store.list('sum-1')).to.have.length(2); // onStop: false
    expect(clock.pendingTimers).to.equal(0);
  });

  it('a failing store is logged and counted, not fatal; the actor keeps working', async () => {
    const { system, log } = testSystem();
    const broken: SnapshotStore = {
      save: () => Promise.reject(new Error('store down')),
      loadLatest: () => Promise.resolve(undefined),
      list: () => Promise.resolve([]),
      prune: () => Promise.resolve(0),
    };
    const incarnations: Summer[] = [];
    const ref = system.spawn(summer(broken, { everyMessages: 1 }, incarnations));
    ref.tell({ type: 'add', n: 2 });
    await until(() => incarnations[0]?.persistence.stats.failed === 1);
    expect(incarnations[0]?.persistence.stats.lastError).to.equal('store down');
    expect(await get(ref)).to.equal(2);
    expect(log.lines.some((l) => l.msg === 'snapshot failed')).to.equal(true);
    await system.terminate();
  });

  it('stash while restoring asynchronously: messages are held, then handled in order', async () => {
    const { system } = testSystem();
    const store = new MemorySnapshotStore();
    await store.save('sum-1', encode(1000));
    const seen: number[] = [];
    class Restoring extends Actor<Msg> {
      ready = false;
      total = 0;
      readonly persistence = Persistence.attach(this.context, { store, id: 'sum-1', serialize: () => encode(this.total) });
      override preStart(): void {
        // do not block start: restore in the background and stash meanwhile
        void this.persistence.restore().then((loaded) =>
          this.context.self.tell({ type: 'restored', total: loaded === undefined ? 0 : decode(loaded.bytes) }),
        );
      }
      receive(msg: Msg): void {
        if (msg.type === 'restored') {
          this.total = msg.total;
          this.ready = true;
          this.context.unstashAll();
        } else if (!this.ready) {
          this.context.stash(msg);
        } else if (msg.type === 'add') {
          this.total += msg.n;
          seen.push(this.total);
        } else if (msg.type === 'get') {
          msg.replyTo.tell(this.total);
        }
      }
    }
    const ref = system.spawn(() => new Restoring());
    ref.tell({ type: 'add', n: 1 });
    ref.tell({ type: 'add', n: 2 });
    const total = get(ref);
    ref.tell({ type: 'add', n: 3 });
    expect(await total).to.equal(1003);
    await until(() => seen.length === 3);
    expect(seen).to.deep.equal([1001, 1003, 1006]);
    await system.terminate();
    expect(decode((await store.loadLatest('sum-1'))?.bytes ?? encode(-1))).to.equal(1006);
  });
});
