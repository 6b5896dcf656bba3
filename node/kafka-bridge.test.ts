import { expect } from 'chai';
import { ActorSystem, MemorySnapshotStore, silentLogger, type ActorRef, type LoadedSnapshot } from '../runtime/index.ts';
import { AnalyticsEngine } from '../actors/engine/index.ts';
import { EventCodec } from '../actors/events/index.ts';
import type { CheckpointOutcome } from '../actors/partition/partition-actor.ts';
import type { SourceRecord } from '../actors/partition/ports.ts';
import { generateEvents } from '../actors/testkit/index.ts';
import { KafkaBridge, type BridgeMsg, type BridgeSource, type BridgeStatus } from './kafka-bridge.ts';

const codec = new EventCodec();

class FakeSource implements BridgeSource {
  readonly calls: string[] = [];
  seek(p: number, offset: number | undefined): void {
    this.calls.push(`seek ${p} ${offset ?? 'start'}`);
  }
  pause(p: number): void {
    this.calls.push(`pause ${p}`);
  }
  resume(p: number): void {
    this.calls.push(`resume ${p}`);
  }
  async commit(p: number, next: number): Promise<void> {
    this.calls.push(`commit ${p} ${next}`);
  }
}

/** A store whose first load waits until released: the partition actor restores slowly. */
class SlowStore extends MemorySnapshotStore {
  release!: () => void;
  private readonly gate = new Promise<void>((r) => (this.release = r));
  override async loadLatest(id: string): Promise<LoadedSnapshot | undefined> {
    await this.gate;
    return super.loadLatest(id);
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
};

describe('KafkaBridge', () => {
  let system: ActorSystem;
  beforeEach(() => (system = new ActorSystem({ logger: silentLogger })));
  afterEach(async () => void (await system.terminate()));

  function start(source: FakeSource, store: MemorySnapshotStore): ActorRef<BridgeMsg> {
    return system.spawn(() => bridgeOf(source, store), { name: 'bridge' });
  }

  function bridgeOf(source: FakeSource, store: MemorySnapshotStore): KafkaBridge {
    const sink = { offer: () => true, flush: async () => undefined };
    return new KafkaBridge({
          topic: 'events',
          source,
          shared: { results: sink, deadLetters: { send: () => undefined, flush: async () => undefined }, snapshots: store },
          partition: {
            createEngine: (partition) => new AnalyticsEngine({ partition, idleTimeoutMs: 0 }),
            codec,
            checkpointIntervalMs: 60_000,
            tickIntervalMs: 60_000,
            updateIntervalMs: 0,
            maxFailures: 3,
            keepSnapshots: 2,
            revokeTimeoutMs: 4_000,
          },
          mailbox: { capacity: 100, highWater: 8, lowWater: 2 },
          revokeTimeoutMs: 5_000,
        });
  }

  it('routes a record batch without a promise, so the runtime drains its mailbox many messages a turn', () => {
    // An async receive makes the runtime hand the actor one message per dispatcher round, after every
    // busy partition's turn: at 50 000 events/s its mailbox of batches fell seconds behind.
    let bridge: KafkaBridge | undefined;
    system.spawn(() => (bridge = bridgeOf(new FakeSource(), new MemorySnapshotStore())), { name: 'bridge' });
    expect(bridge!.receive({ type: 'records', partition: 9, records: [], lag: 0 })).to.equal(undefined);
  });

  it('reports each partition\'s offset, lag and record count without asking its actor', async () => {
    const source = new FakeSource();
    const bridge = start(source, new MemorySnapshotStore());
    bridge.tell({ type: 'assigned', partitions: [2] });
    await settle();
    const records: SourceRecord[] = [...generateEvents({ seed: 1, partitions: 1, count: 50, badRatio: 0 })].map((it) => ({
      offset: it.offset,
      value: it.kind === 'event' ? codec.encode(it.event) : it.bytes,
    }));
    bridge.tell({ type: 'records', partition: 2, records, lag: 7 });
    await settle();
    // Ten more batches queued behind a status ask: the answer must not wait for them.
    for (let i = 0; i < 10; i++) bridge.tell({ type: 'records', partition: 2, records: [], lag: 7 });
    const status = await bridge.ask<BridgeStatus>((replyTo) => ({ type: 'status', replyTo }), 1_000);
    expect(status.records).to.equal(50);
    expect(status.partitions).to.have.length(1);
    expect(status.partitions[0]).to.include({ partition: 2, offset: 50, lag: 7 });
  });

  it('pauses a partition whose actor falls behind and resumes it once the mailbox drains', async () => {
    const source = new FakeSource();
    const store = new SlowStore();
    const bridge = start(source, store);
    bridge.tell({ type: 'assigned', partitions: [3] });
    const records: SourceRecord[] = [...generateEvents({ seed: 1, partitions: 1, count: 200, badRatio: 0 })].map((it) => ({
      offset: it.offset,
      value: it.kind === 'event' ? codec.encode(it.event) : it.bytes,
    }));
    for (let i = 0; i < 20; i++) bridge.tell({ type: 'records', partition: 3, records: records.slice(i * 10, i * 10 + 10), lag: 0 });
    await settle();
    expect(source.calls).to.include('pause 3');
    expect(source.calls).to.not.include('resume 3');

    store.release(); // the actor restores and seeks while still behind, then works off its mailbox
    await settle();
    expect(source.calls).to.deep.equal(['pause 3', 'seek 3 start', 'pause 3', 'resume 3']);
  });

  it('checkpoints and stops a revoked partition: snapshot first, then the offset commit', async () => {
    const source = new FakeSource();
    const store = new MemorySnapshotStore();
    const bridge = start(source, store);
    bridge.tell({ type: 'assigned', partitions: [0, 1] });
    await settle();
    const records = [...generateEvents({ seed: 2, partitions: 1, count: 50, badRatio: 0 })].map((it) => ({ offset: it.offset, value: it.kind === 'event' ? codec.encode(it.event) : it.bytes }));
    bridge.tell({ type: 'records', partition: 1, records, lag: 0 });
    const revoked = await bridge.ask<CheckpointOutcome[]>((replyTo) => ({ type: 'revoked', partitions: [1], replyTo }));
    expect(revoked, 'the revocation answers once the checkpoint is written').to.deep.equal([{ ok: true, nextOffset: 50 }]);
    const outcomes = await bridge.ask<CheckpointOutcome[]>((replyTo) => ({ type: 'shutdown', replyTo }));
    expect(source.calls).to.include('commit 1 50');
    expect((await store.loadLatest('events-1'))!.info.meta.offset).to.equal(49);
    expect(outcomes).to.deep.equal([{ ok: true, nextOffset: 0 }]); // partition 0 had nothing to checkpoint
  });
});
