// Reads records from the partitions it is told to, each from the offset it is told, one fetch in
// flight per leader broker: a fetch returns as soon as the broker has `minBytes` for any of them (or
// after `maxWaitMs`), its records go to `deliver` in the same turn, and the next fetch leaves at once.
// A paused partition is left out of the next fetch; what an answer brings for a partition that was
// paused, moved or re-positioned meanwhile is dropped, and read again from where it is now.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../runtime/index.ts';
import { retryDelayMs } from '../result-sink.ts';
import type { BrokerPool, TopicLayout } from './broker-pool.ts';
import { earliestOffsets, fetch, type FetchLimits, type FetchedPartition } from './wire/consumer-requests.ts';
import { errorName, meansStaleMetadata } from './wire/errors.ts';
import { readRecordBatches, UnreadableBatchError, type FetchedRecord } from './wire/record-batch-reader.ts';

/** Start at the partition's earliest retained offset. */
export const EARLIEST = -1;

export type Deliver = (partition: number, records: FetchedRecord[], highWatermark: number) => void;

/** What the fetcher uses of the pool (a test gives it a scripted cluster). */
export type FetchPool = Pick<BrokerPool, 'topic' | 'forgetTopic' | 'connection' | 'drop'>;

interface Position {
  offset: number;
  paused: boolean;
  /** Why the partition cannot be read (an unreadable batch): it stays stopped until positioned anew. */
  broken: string | undefined;
  /** Changes with every start(): answers to a fetch for an older position are dropped. */
  version: number;
}

interface Requested {
  readonly partition: number;
  readonly offset: number;
  readonly version: number;
}

export class RecordFetcher {
  private readonly positions = new Map<number, Position>();
  /** The running fetch loop of each leader broker. */
  private readonly loops = new Map<number, Promise<void>>();
  private version = 0;
  /** Rotates the order of each fetch's partitions, so that none always comes last (after the size limit). */
  private round = 0;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: FetchPool,
    private readonly topic: string,
    private readonly limits: FetchLimits,
    private readonly deliver: Deliver,
    private readonly log: Logger,
  ) {}

  /** Reads `partition` from `offset` (or EARLIEST) on. */
  start(partition: number, offset: number): void {
    this.positions.set(partition, { offset, paused: false, broken: undefined, version: ++this.version });
    this.kick();
  }

  stop(partition: number): void {
    this.positions.delete(partition);
  }

  pause(partition: number): void {
    const p = this.positions.get(partition);
    if (p) p.paused = true;
  }

  resume(partition: number): void {
    const p = this.positions.get(partition);
    if (!p?.paused) return;
    p.paused = false;
    this.kick();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await Promise.all(this.loops.values());
  }

  private readable(partition: number): boolean {
    const p = this.positions.get(partition);
    return p !== undefined && !p.paused && p.broken === undefined;
  }

  /** Starts the loop of every leader that has a readable partition and none running. */
  private kick(): void {
    if (this.closed) return;
    void this.pool.topic(this.topic).then(
      (layout) => this.startLoops(layout),
      (err: unknown) => {
        this.log.warn('kafka: reading the topic metadata failed; retrying', { topic: this.topic, error: (err as Error).message });
        this.retryLater(1);
      },
    );
  }

  private startLoops(layout: TopicLayout): void {
    let leaderless = false;
    for (const partition of this.positions.keys()) {
      if (!this.readable(partition)) continue;
      const leader = layout.leaders[partition] ?? -1;
      if (leader < 0) leaderless = true;
      else if (!this.loops.has(leader)) this.loops.set(leader, this.run(leader));
    }
    if (leaderless) this.retryLater(1);
  }

  private retryLater(attempt: number): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pool.forgetTopic(this.topic);
      this.kick();
    }, retryDelayMs(attempt, 200, 2_000));
  }

  private async run(leader: number): Promise<void> {
    let failures = 0;
    for (;;) {
      if (this.closed) break;
      const layout = await this.pool.topic(this.topic).catch(() => undefined);
      if (layout) this.startLoops(layout); // partitions whose leadership moved to a broker without a loop
      const mine = layout ? [...this.positions.keys()].filter((p) => this.readable(p) && layout.leaders[p] === leader) : [];
      if (mine.length === 0) break; // no await between here and leaving the map: kick() starts a new loop when needed
      const turn = this.round++ % mine.length;
      mine.push(...mine.splice(0, turn));
      let ok = true;
      try {
        await this.resolveEarliest(leader, mine);
        const requested: Requested[] = mine.map((partition) => ({ partition, offset: this.positions.get(partition)!.offset, version: this.positions.get(partition)!.version }));
        const conn = await this.pool.connection(leader);
        const answers = await conn.call(fetch(this.topic, requested, this.limits));
        for (const answer of answers) ok = this.take(answer, requested) && ok;
      } catch (err) {
        ok = false;
        this.pool.drop(leader);
        this.pool.forgetTopic(this.topic);
        if (failures % 10 === 0) this.log.warn('kafka: fetch failed; retrying', { broker: leader, topic: this.topic, error: (err as Error).message });
      }
      failures = ok ? 0 : failures + 1;
      if (failures > 0) await sleep(retryDelayMs(failures, 100, 2_000));
    }
    this.loops.delete(leader);
    this.kick(); // partitions that moved to this leader meanwhile, or came back from another
  }

  /** Applies one partition's answer; false when it needs a pause before the next fetch. */
  private take(answer: FetchedPartition, requested: readonly Requested[]): boolean {
    const asked = requested.find((r) => r.partition === answer.partition);
    const pos = this.positions.get(answer.partition);
    if (!asked || !pos || pos.version !== asked.version || pos.paused || pos.offset !== asked.offset) return true;
    if (answer.error === 1) {
      // OFFSET_OUT_OF_RANGE: retention deleted it (or the topic was re-created): go on from the earliest.
      this.log.warn('kafka: offset out of range; reading on from the earliest retained offset', { topic: this.topic, partition: answer.partition, offset: pos.offset });
      pos.offset = EARLIEST;
      return true;
    }
    if (answer.error !== 0) {
      if (meansStaleMetadata(answer.error)) this.pool.forgetTopic(this.topic);
      this.log.warn('kafka: fetch refused for a partition; retrying', { topic: this.topic, partition: answer.partition, error: errorName(answer.error) });
      return false;
    }
    if (!answer.records || answer.records.length === 0) return true;
    const records: FetchedRecord[] = [];
    let next: number;
    try {
      next = readRecordBatches(answer.records, pos.offset, answer.aborted, (r) => records.push(r));
    } catch (err) {
      if (!(err instanceof UnreadableBatchError)) throw err;
      // Nothing is skipped: the partition stops here, visibly (its lag grows), until an operator acts.
      pos.broken = err.message;
      this.log.error('kafka: partition stopped at a record batch it cannot read', { topic: this.topic, partition: answer.partition, offset: pos.offset, error: err.message });
      return true;
    }
    if (records.length > 0) this.deliver(answer.partition, records, answer.highWatermark);
    pos.offset = next; // after delivery: records a throwing deliver did not take are fetched again
    return true;
  }

  /** Replaces EARLIEST positions with the partitions' earliest offsets. */
  private async resolveEarliest(leader: number, partitions: readonly number[]): Promise<void> {
    const unresolved = partitions.filter((p) => this.positions.get(p)?.offset === EARLIEST);
    if (unresolved.length === 0) return;
    const conn = await this.pool.connection(leader);
    for (const r of await conn.call(earliestOffsets(this.topic, unresolved))) {
      if (r.error !== 0) throw new Error(`kafka: earliest offset of ${this.topic} partition ${r.partition}: ${errorName(r.error)}`);
      const pos = this.positions.get(r.partition);
      if (pos?.offset === EARLIEST) pos.offset = r.offset;
    }
  }
}
