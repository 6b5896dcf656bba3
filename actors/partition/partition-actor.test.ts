import { expect } from 'chai';
import { ActorSystem, ManualClock, MemorySnapshotStore, Supervision, silentLogger, type ActorRef } from '../../runtime/index.ts';
import { AnalyticsEngine, withPatterns } from '../engine/index.ts';
import { EventCodec } from '../events/index.ts';
import type { RtapEvent } from '../events/index.ts';
import type { AnalyticsResult, WindowResult } from '../results.ts';
import { generateEvents } from '../testkit/index.ts';
import { PartitionActor, checkpointPhase, type CheckpointOutcome, type PartitionMsg } from './partition-actor.ts';
import type { DeadLetter, PartitionPorts, SourceRecord } from './ports.ts';

const codec = new EventCodec();
const PARTITION = 0;

/** A small generated stream of one partition, as Kafka records. */
function records(count: number, seed = 7): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (const item of generateEvents({ seed, partitions: 1, users: 40, count, badRatio: 0.01 })) {
    out.push({ offset: item.offset, value: item.kind === 'event' ? codec.encode(item.event) : item.bytes });
  }
  return out;
}

const engineFactory = (poisonId?: string) => (partition: number): AnalyticsEngine => {
  const engine = new AnalyticsEngine({ partition, operators: withPatterns() });
  if (poisonId) {
    const process = engine.process.bind(engine);
    engine.process = (event: RtapEvent, offset: number) => {
      if (event.eventId === poisonId) throw new Error('handler bug');
      return process(event, offset);
    };
  }
  return engine;
};

/** What a crash-free run produces: the expected result ids. */
function expectedIds(input: SourceRecord[], skipEventId?: string): Set<string> {
  const engine = engineFactory()(PARTITION);
  for (const r of input) {
    let event: RtapEvent;
    try {
      event = codec.decode(r.value!);
    } catch {
      continue;
    }
    if (event.eventId !== skipEventId) engine.process(event, r.offset);
  }
  return new Set(engine.takeResults().map((r) => r.id));
}

class FakePorts implements PartitionPorts {
  tracer: PartitionPorts['tracer'];
  readonly log: string[] = [];
  readonly delivered: AnalyticsResult[] = [];
  readonly letters: DeadLetter[] = [];
  readonly failures = new Map<number, number>();
  readonly snapshots = new MemorySnapshotStore(3);
  pending: AnalyticsResult[] = [];
  epoch = 0;
  seekTo: (number | undefined)[] = [];
  committed = -1;

  readonly traceparents = new Map<string, string | undefined>();
  results = {
    offer: (r: AnalyticsResult, traceparent?: string): boolean => {
      this.pending.push(r);
      this.traceparents.set(r.id, traceparent);
      return true;
    },
    flush: async (): Promise<void> => {
      this.log.push(`flush ${this.pending.length}`);
      this.delivered.push(...this.pending);
      this.pending = [];
    },
  };
  deadLetters = { send: (l: DeadLetter): void => void this.letters.push(l), flush: async (): Promise<void> => undefined };
  source = {
    seek: (_p: number, offset: number | undefined): number => {
      this.seekTo.push(offset);
      return ++this.epoch;
    },
    commit: async (_p: number, next: number): Promise<void> => {
      this.log.push(`commit ${next}`);
      this.committed = next;
    },
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('PartitionActor', () => {
  let system: ActorSystem;
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock(0);
    system = new ActorSystem({ clock, logger: silentLogger });
  });
  afterEach(async () => {
    await system.terminate();
  });

  function spawn(ports: FakePorts, poisonId?: string, updateIntervalMs = 0): ActorRef<PartitionMsg> {
    return system.spawn(
      () =>
        new PartitionActor({
          partition: PARTITION,
          snapshotId: 'events-0',
          createEngine: engineFactory(poisonId),
          codec,
          ports,
          checkpointIntervalMs: 10_000,
          tickIntervalMs: 1_000,
          updateIntervalMs,
          maxFailures: 3,
          keepSnapshots: 3,
          revokeTimeoutMs: 5_000,
        }),
      { name: 'p0', supervision: Supervision.restart({ maxRestarts: 10, withinMs: 60_000, backoff: { minMs: 10, maxMs: 10, randomFactor: 0 } }) },
    );
  }

  /** Spawns the actor, checks that it starts from the beginning, and hands it 2,000 records. */
  async function startFromScratch(ports: FakePorts): Promise<{ ref: ActorRef<PartitionMsg>; input: SourceRecord[] }> {
    const ref = spawn(ports);
    const input = records(2_000);
    await settle();
    expect(ports.seekTo).to.deep.equal([undefined]);
    ref.tell({ type: 'records', epoch: ports.epoch, records: input });
    await settle();
    return { ref, input };
  }

  it('phases the first checkpoint of each partition so that partitions assigned together do not snapshot together', () => {
    for (const n of [2, 6, 12, 48]) {
      const phases = Array.from({ length: n }, (_, p) => checkpointPhase(p)).sort((a, b) => a - b);
      for (const f of phases) expect(f).to.be.greaterThan(0).and.at.most(1);
      // Golden-ratio spacing: no two of n consecutive partitions closer than ~1/(3n) of the interval.
      const gaps = phases.slice(1).map((f, i) => f - phases[i]!);
      expect(Math.min(...gaps), `n=${n}`).to.be.greaterThan(1 / (3 * n));
    }
  });

  it('takes its first checkpoint at its phase of the interval', async () => {
    const ports = new FakePorts();
    await startFromScratch(ports);
    clock.advance(Math.ceil(10_000 * checkpointPhase(PARTITION)) - 1);
    await settle();
    expect(ports.committed).to.equal(-1);
    clock.advance(1);
    await settle();
    expect(ports.committed).to.equal(2_000);
  });

  it('checkpoints in order: flush results, save the snapshot, then commit the next offset', async () => {
    const ports = new FakePorts();
    const { input } = await startFromScratch(ports);
    clock.advance(10_000);
    await settle();
    const last = input[input.length - 1]!.offset;
    expect(ports.committed).to.equal(last + 1);
    expect(ports.log[0]).to.match(/^flush \d+$/);
    expect(ports.log[1]).to.equal(`commit ${last + 1}`);
    const saved = await ports.snapshots.loadLatest('events-0');
    expect(saved!.info.meta.offset).to.equal(last);
    expect(new Set(ports.delivered.map((r) => r.id))).to.deep.equal(expectedIds(input));
  });

  it('sends updates at once in a new interval slot, else at the start of the next slot (never later than the interval), then nothing until new input', async () => {
    const ports = new FakePorts();
    const ref = spawn(ports, undefined, 50);
    await settle();
    const offered = (): WindowResult[] => [...ports.delivered, ...ports.pending].filter((r): r is WindowResult => r.kind === 'window' && r.trigger === 'update');
    const input = records(1_500);
    clock.advance(1_003); // not on a slot boundary: the slots are 1,000–1,050, 1,050–1,100, …
    ref.tell({ type: 'records', epoch: ports.epoch, records: input.slice(0, 500) });
    await settle();
    const first = offered().length;
    expect(first, 'the first batch after a quiet interval: updates at once').to.be.greaterThan(0);
    expect(new Set(offered().map((u) => u.analytic))).to.deep.equal(new Set(['page-views', 'conversions']));
    clock.advance(20);
    ref.tell({ type: 'records', epoch: ports.epoch, records: input.slice(500, 1_000) });
    await settle();
    expect(offered(), 'same slot: held back').to.have.length(first);
    clock.advance(26);
    await settle();
    expect(offered(), 'not before the next slot (1,050 ms)').to.have.length(first);
    clock.advance(1);
    await settle();
    const second = offered().length;
    expect(second, 'at 1,050 ms: 27 ms after the batch, not an interval after the first emission').to.be.greaterThan(first);
    clock.advance(500);
    await settle();
    expect(offered(), 'nothing new: no updates').to.have.length(second);
    clock.step(-520); // to 1,030 ms, before the last emission: a clock stepped back (NTP) must not hold updates back
    ref.tell({ type: 'records', epoch: ports.epoch, records: input.slice(1_000) });
    await settle();
    expect(offered().length, 'after a step back: at once').to.be.greaterThan(second);
  });

  it('dead-letters undecodable records with their reason and keeps going', async () => {
    const ports = new FakePorts();
    const ref = spawn(ports);
    const input = records(3_000);
    await settle();
    ref.tell({ type: 'records', epoch: ports.epoch, records: input });
    const outcome = await ref.ask<CheckpointOutcome>((replyTo) => ({ type: 'revoke', replyTo }));
    expect(outcome.ok).to.equal(true);
    expect(ports.letters.length).to.be.greaterThan(0);
    for (const l of ports.letters) {
      expect(l.partition).to.equal(PARTITION);
      expect(l.reason).to.be.oneOf(['bad-magic', 'truncated', 'unknown-schema', 'undecodable', 'future-timestamp']);
      expect(l.value).to.deep.equal(input.find((r) => r.offset === l.offset)!.value);
    }
  });

  it('after a crash restores its snapshot, asks to re-read past it, and ignores batches fetched before', async () => {
    const input = records(4_000);
    const poison = codec.decode(input[3_000]!.value!).eventId;
    const ports = new FakePorts();
    const ref = spawn(ports, poison);
    await settle();
    ref.tell({ type: 'records', epoch: ports.epoch, records: input.slice(0, 2_000) });
    await settle();
    clock.advance(10_000); // checkpoint at offset 1999
    await settle();
    expect(ports.committed).to.equal(2_000);

    // The bridge keeps delivering with the epoch it knows; each crash restarts the actor, which
    // seeks back to 2000 and gets a new epoch. Deliver like the bridge: always the current epoch.
    for (let attempt = 0; attempt < 5; attempt++) {
      const from = ports.seekTo[ports.seekTo.length - 1] ?? 0;
      const stale = ports.epoch - 1;
      ref.tell({ type: 'records', epoch: stale, records: input.slice(3_500) }); // fetched before the seek
      ref.tell({ type: 'records', epoch: ports.epoch, records: input.slice(from) });
      await settle();
      clock.advance(10);
      await settle();
    }
    expect(ports.seekTo.slice(0, 2)).to.deep.equal([undefined, 2_000]);
    const handlerFailed = ports.letters.filter((l) => l.reason === 'handler-failed');
    expect(handlerFailed.map((l) => l.offset)).to.deep.equal([input[3_000]!.offset]);
    const outcome = await ref.ask<CheckpointOutcome>((replyTo) => ({ type: 'revoke', replyTo }));
    expect(outcome).to.deep.equal({ ok: true, nextOffset: input[input.length - 1]!.offset + 1 });
    // Exactly the crash-free results without the poison event: nothing lost, and the sink's
    // de-duplication by id absorbs what the replays re-emitted.
    expect(new Set(ports.delivered.map((r) => r.id))).to.deep.equal(expectedIds(input, poison));
  });

  it('processes a record that carries a trace context inside the tracer and sends its results with the span\'s context', async () => {
    const ports = new FakePorts();
    const traced: number[] = [];
    ports.tracer = {
      around: (_partition, record, fn) => {
        traced.push(record.offset);
        fn(`span-of-${record.offset}`);
      },
    };
    const ref = spawn(ports);
    const input = records(3_000).map((r, i) => (i % 3 !== 0 ? { ...r, traceparent: `producer-${r.offset}` } : r));
    await settle();
    ref.tell({ type: 'records', epoch: ports.epoch, records: input });
    await ref.ask<CheckpointOutcome>((replyTo) => ({ type: 'revoke', replyTo }));
    expect(traced).to.deep.equal(input.filter((r) => r.traceparent).map((r) => r.offset));
    const withSpan = [...ports.traceparents.values()].filter((t) => t !== undefined);
    expect(withSpan.length).to.be.greaterThan(0);
    expect(withSpan.every((t) => /^span-of-\d+$/.test(t!))).to.equal(true);
    expect(new Set(ports.delivered.map((r) => r.id))).to.deep.equal(expectedIds(input));
  });

  it('rebuilds from the beginning, instead of crash-looping, when the newest snapshot cannot be restored', async () => {
    const ports = new FakePorts();
    await ports.snapshots.save('events-0', new TextEncoder().encode('{"written by":"another release"}'), { offset: 1_500 });
    const { ref, input } = await startFromScratch(ports);
    expect(system.inspectOne(ref)!.restarts).to.equal(0);
    const outcome = await ref.ask<CheckpointOutcome>((replyTo) => ({ type: 'revoke', replyTo }));
    expect(outcome).to.deep.equal({ ok: true, nextOffset: input[input.length - 1]!.offset + 1 });
    expect(new Set(ports.delivered.map((r) => r.id))).to.deep.equal(expectedIds(input));
  });

  it('gives up a revoke whose results cannot be delivered in time, stops, and never saves or commits that checkpoint afterwards', async () => {
    const ports = new FakePorts();
    const deliver = ports.results.flush;
    let release: (() => void) | undefined;
    ports.results.flush = () => new Promise<void>((resolve) => (release = () => void deliver().then(resolve))); // a sink that is down
    const ref = spawn(ports);
    await settle();
    ref.tell({ type: 'records', epoch: ports.epoch, records: records(500) });
    await settle();
    const asked = ref.ask<CheckpointOutcome>((replyTo) => ({ type: 'revoke', replyTo }), 60_000);
    await settle();
    clock.advance(4_999);
    await settle();
    let answered = false;
    void asked.then(() => (answered = true));
    await settle();
    expect(answered).to.equal(false);
    clock.advance(1); // revokeTimeoutMs (5 s in spawn)
    const outcome = await asked;
    expect(outcome).to.deep.equal({ ok: false, error: 'checkpoint not done within 5000 ms (results not delivered); given up, nothing committed' });
    await settle();
    expect(system.inspectOne(ref)?.status ?? 'stopped').to.equal('stopped');
    release!(); // the sink comes back: the old checkpoint must not complete on a partition that may have moved
    await settle();
    expect(ports.delivered.length).to.be.greaterThan(0);
    expect(ports.committed).to.equal(-1);
    expect(await ports.snapshots.loadLatest('events-0')).to.equal(undefined);
  });

  it('stops waiting for room when its sink closes at shutdown, so it takes its revoke and commits nothing', async () => {
    const ports = new FakePorts();
    const closed = new Error('closed before delivery (12 buffered)');
    let isClosed = false;
    let close: ((err: Error) => void) | undefined;
    ports.results.offer = (r: AnalyticsResult): boolean => (ports.pending.push(r), false); // always full: backpressure
    ports.results.flush = () => (isClosed ? Promise.reject(closed) : new Promise<void>((_resolve, reject) => (close = reject))); // a sink that is down
    const ref = spawn(ports);
    await settle();
    ref.tell({ type: 'records', epoch: ports.epoch, records: records(500) });
    await settle();
    expect(close, 'the actor waits for room').to.be.a('function');
    const asked = ref.ask<CheckpointOutcome>((replyTo) => ({ type: 'revoke', replyTo }), 60_000);
    await settle();
    let answered = false;
    void asked.then(() => (answered = true));
    await settle();
    expect(answered, 'the revoke waits behind the backpressured batch').to.equal(false);
    isClosed = true;
    close!(closed); // the node's stop closes its sinks
    const outcome = await asked; // before any revoke timeout: the clock has not moved
    expect(outcome).to.deep.equal({ ok: false, error: 'closed before delivery (12 buffered)' });
    await settle();
    expect(system.inspectOne(ref)?.status ?? 'stopped').to.equal('stopped');
    expect(ports.committed).to.equal(-1);
    expect(await ports.snapshots.loadLatest('events-0')).to.equal(undefined);
  });
});

