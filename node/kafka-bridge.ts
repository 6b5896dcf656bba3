// The Kafka bridge: one supervised partition actor per assigned partition of the events topic.
// It spawns an actor on assignment (the actor restores its snapshot and says where to seek),
// checkpoints and stops it on revocation, routes record batches to it, and pauses a partition
// whose actor's mailbox is above its high-water mark until it drains below the low one.
import { Actor, Supervision, type ActorRef, type Terminated } from '../runtime/index.ts';
import { PartitionActor, type CheckpointOutcome, type PartitionMsg, type PartitionState } from '../actors/partition/partition-actor.ts';
import type { PartitionActorOptions } from '../actors/partition/partition-actor.ts';
import type { PartitionPorts, SourceRecord } from '../actors/partition/ports.ts';
import type { PartitionStatus } from '../transports/nats/contracts.ts';

/** What the bridge needs from the consumer (KafkaSource implements it). */
export interface BridgeSource {
  seek(partition: number, offset: number | undefined): void;
  pause(partition: number): void;
  resume(partition: number): void;
  commit(partition: number, nextOffset: number): Promise<void>;
}

export type BridgeMsg =
  | { type: 'assigned'; partitions: number[] }
  | { type: 'revoked'; partitions: number[]; replyTo?: ActorRef<CheckpointOutcome[]> }
  | { type: 'records'; partition: number; records: SourceRecord[]; lag: number }
  | { type: 'status'; replyTo: ActorRef<BridgeStatus> }
  | { type: 'shutdown'; replyTo: ActorRef<CheckpointOutcome[]> }
  | { type: 'terminated'; partition: number; generation: number; t: Terminated };

export interface BridgeStatus {
  partitions: PartitionStatus[];
  /** Records handed to partition actors since this node started. */
  records: number;
  /** Late events (side output) counted by the partitions this node owns now. */
  late: number;
}

export interface KafkaBridgeOptions {
  topic: string;
  source: BridgeSource;
  /** Ports shared by every partition (sinks, DLQ, snapshot store); failures and source are per partition. */
  shared: Omit<PartitionPorts, 'source' | 'failures'>;
  partition: Omit<PartitionActorOptions, 'partition' | 'snapshotId' | 'ports'>;
  mailbox: { capacity: number; highWater: number; lowWater: number };
  revokeTimeoutMs: number;
  /** Builds each partition actor (default: a plain PartitionActor; the node measures it, see node-metrics.ts). */
  createActor?: (options: PartitionActorOptions) => PartitionActor;
}

interface Owned {
  ref: ActorRef<PartitionMsg>;
  generation: number;
  epoch: number;
  lag: number;
  paused: boolean;
  failures: Map<number, number>;
  /** The actor's state, read synchronously (PartitionPorts.exposeState); undefined until it started. */
  state: () => PartitionState | undefined;
  unwatchMark: () => void;
}

export class KafkaBridge extends Actor<BridgeMsg> {
  private readonly owned = new Map<number, Owned>();
  private generation = 0;
  private records = 0;

  constructor(private readonly opts: KafkaBridgeOptions) {
    super();
  }

  /**
   * Synchronous but for revocation and shutdown: a promise makes the runtime hand the bridge one
   * message per dispatcher round (after every partition's turn), and under load its mailbox of record
   * batches then fell seconds behind — delaying every delivery, and status asks past their timeout.
   */
  receive(msg: BridgeMsg): void | Promise<void> {
    switch (msg.type) {
      case 'assigned':
        for (const p of msg.partitions) this.spawnPartition(p);
        return;
      case 'revoked':
        return Promise.all(msg.partitions.map((p) => this.revoke(p))).then((outcomes) => void msg.replyTo?.tell(outcomes));
      case 'records':
        this.deliver(msg.partition, msg.records, msg.lag);
        return;
      case 'status':
        msg.replyTo.tell(this.status());
        return;
      case 'shutdown':
        return Promise.all([...this.owned.keys()].map((p) => this.revoke(p))).then((outcomes) => void msg.replyTo.tell(outcomes));
      case 'terminated': {
        const o = this.owned.get(msg.partition);
        if (o && o.generation === msg.generation) {
          // Stopped by its supervisor (restart budget spent): this node can no longer serve it.
          this.owned.delete(msg.partition);
          throw new Error(`partition ${msg.partition} actor stopped: ${String((msg.t.error as Error | undefined)?.message ?? msg.t.reason)}`);
        }
        return;
      }
    }
  }

  private spawnPartition(partition: number): void {
    if (this.owned.has(partition)) return;
    const generation = ++this.generation;
    const { topic, source, shared, mailbox } = this.opts;
    const failures = new Map<number, number>();
    let read: (() => PartitionState) | undefined;
    const ports: PartitionPorts = {
      ...shared,
      failures,
      source: {
        seek: (p, offset) => {
          const o = this.owned.get(p);
          const epoch = o ? ++o.epoch : 0;
          source.seek(p, offset); // also resumes the partition…
          if (o) {
            // …unless the actor is still behind (e.g. restarted with a full mailbox): then it stays
            // paused until the low-water mark.
            o.paused = o.ref.mailbox.aboveHighWaterMark;
            if (o.paused) source.pause(p);
          }
          return epoch;
        },
        commit: (p, next) => source.commit(p, next),
      },
      exposeState: (r) => (read = r), // a restarted actor exposes its new instance
    };
    const createActor = this.opts.createActor ?? ((o: PartitionActorOptions) => new PartitionActor(o));
    const ref = this.context.spawn(() => createActor({ ...this.opts.partition, partition, snapshotId: `${topic}-${partition}`, ports }), {
      name: `partition-${partition}-g${generation}`,
      mailbox: { capacity: mailbox.capacity, policy: 'backpressure', highWaterMark: mailbox.highWater, lowWaterMark: mailbox.lowWater },
      supervision: Supervision.restart({ maxRestarts: 20, withinMs: 60_000, backoff: { minMs: 100, maxMs: 10_000, randomFactor: 0.2 } }),
    });
    const unwatchMark = ref.mailbox.onWaterMark((mark) => {
      const o = this.owned.get(partition);
      if (!o || o.ref !== ref) return;
      if (mark === 'high' && !o.paused) {
        o.paused = true;
        source.pause(partition);
      } else if (mark === 'low' && o.paused) {
        o.paused = false;
        source.resume(partition);
      }
    });
    this.owned.set(partition, { ref, generation, epoch: 0, lag: 0, paused: false, failures, state: () => read?.(), unwatchMark });
    this.context.watch(ref, (t) => ({ type: 'terminated', partition, generation, t }));
  }

  private deliver(partition: number, records: SourceRecord[], lag: number): void {
    const o = this.owned.get(partition);
    if (!o) return; // revoked meanwhile: the next owner reads these again
    o.lag = lag;
    this.records += records.length;
    if (!o.ref.tell({ type: 'records', epoch: o.epoch, records })) {
      // The mailbox is full despite the pause (it never should be): let the actor replay from its
      // snapshot rather than lose the batch.
      this.context.log.error('partition mailbox full; re-reading from the last checkpoint', { partition });
      o.paused = true;
      this.opts.source.pause(partition);
      void this.restartPartition(partition);
    }
  }

  private async restartPartition(partition: number): Promise<void> {
    await this.revoke(partition);
    this.spawnPartition(partition);
  }

  private async revoke(partition: number): Promise<CheckpointOutcome> {
    const o = this.owned.get(partition);
    if (!o) return { ok: true };
    this.owned.delete(partition);
    o.unwatchMark();
    this.context.unwatch(o.ref);
    try {
      return await o.ref.ask<CheckpointOutcome>((replyTo) => ({ type: 'revoke', replyTo }), this.opts.revokeTimeoutMs);
    } catch (err) {
      await this.context.stop(o.ref);
      return { ok: false, error: (err as Error).message };
    }
  }

  private status(): BridgeStatus {
    const out: PartitionStatus[] = [];
    let late = 0;
    for (const [partition, o] of this.owned) {
      const last = o.state();
      late += last?.late ?? 0;
      out.push({
        partition,
        offset: last?.nextOffset ?? 0,
        lag: o.lag,
        watermark: last?.watermark ?? null,
        mailboxDepth: o.ref.mailbox.depth,
        restarts: this.context.system.inspectOne(o.ref)?.restarts ?? 0,
        paused: o.paused,
        lastSnapshotAt: last?.lastSnapshotAt ?? null,
        lastSnapshotBytes: last?.lastSnapshotBytes ?? null,
      });
    }
    return { partitions: out.sort((a, b) => a.partition - b.partition), records: this.records, late };
  }
}
