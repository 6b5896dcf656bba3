// Membership of a consumer group through the consumer rebalance protocol of KIP-848 (Kafka 4.0+):
// the broker computes the assignment; a member heartbeats, takes the partitions it is given, gives
// up the ones taken away and says so in its next heartbeat. Nothing stops the group while that
// happens: only the partitions that move pause, each until its old owner has let it go (here:
// until the partition actor's checkpoint is written, so its next owner restores the newest state).
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../runtime/index.ts';
import { retryDelayMs } from '../result-sink.ts';
import { settledWithin } from '../settled-within.ts';
import type { BrokerPool } from './broker-pool.ts';
import type { BrokerConnection } from './wire/connection.ts';
import { consumerGroupHeartbeat, findCoordinator, offsetCommit, type HeartbeatRequest } from './wire/consumer-requests.ts';
import { errorName, meansCoordinatorMoved } from './wire/errors.ts';

export interface MembershipHandlers {
  /** Partitions now this member's. */
  assigned(partitions: number[]): void;
  /** Partitions to give up; the group learns they are free once the promise settles. */
  revoked(partitions: number[]): Promise<void>;
}

export interface GroupMemberOptions {
  readonly groupId: string;
  readonly topic: string;
  /** The topic's id, by which the broker names assigned partitions. */
  readonly topicId: string;
  /** How long the group waits for this member to give up a partition before it fences the member. */
  readonly rebalanceTimeoutMs: number;
  readonly log: Logger;
}

/** Codes after which the member has lost its partitions and must join again. */
const FENCED = new Set([25, 110]); // UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH
const STALE_MEMBER_EPOCH = 113;

export class GroupMember {
  readonly memberId = randomUUID();
  private epoch = 0;
  /** What the member reports as its own: given partitions, until their revocation has finished. */
  private readonly owned = new Set<number>();
  /** The newest assignment from the broker not yet acted on. */
  private target: number[] | undefined;
  private reconcilePass: Promise<void> | undefined;
  private intervalMs = 1_000;
  private coordinator: number | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A heartbeat is wanted now (set while one may be in flight, so the request is not lost). */
  private beatSoon = false;
  private failures = 0;

  constructor(
    private readonly pool: BrokerPool,
    private readonly opts: GroupMemberOptions,
    private readonly handlers: MembershipHandlers,
  ) {}

  /** Joins the group: resolves after the first heartbeat is answered, rejects at once when the group cannot be joined at all. */
  async start(): Promise<void> {
    this.running = true;
    let joined = false;
    for (let attempt = 1; !joined; attempt++) {
      joined = await this.beat().catch((err: Error) => {
        if (err instanceof MembershipError || attempt >= 20) throw err;
        return false;
      });
      if (!joined) await sleep(retryDelayMs(attempt, 100, 2_000));
    }
    this.loop = this.run();
  }

  /** Commits `offset` (the next to read) for `partition` as this member. */
  async commit(partition: number, offset: number): Promise<void> {
    const conn = await this.coordinatorConnection();
    const epoch = this.epoch;
    let error = await conn.call(offsetCommit(this.opts.groupId, this.memberId, epoch, this.opts.topic, partition, offset));
    // A heartbeat raised the epoch while the commit was on its way: once more with the new one.
    if (error === STALE_MEMBER_EPOCH && this.epoch !== epoch) error = await conn.call(offsetCommit(this.opts.groupId, this.memberId, this.epoch, this.opts.topic, partition, offset));
    if (error === 0) return;
    if (meansCoordinatorMoved(error)) this.coordinator = undefined;
    throw new Error(`kafka: committing offset ${offset} of partition ${partition} failed: ${errorName(error)}`);
  }

  /** Leaves the group (its partitions go to the other members at once). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    if (this.loop) await settledWithin(this.loop, 5_000); // a heartbeat in flight to a broker that is gone
    const leave = this.coordinatorConnection().then((conn) => conn.call(consumerGroupHeartbeat({ ...this.request(), memberEpoch: -1 })));
    const left = leave.then(
      () => undefined,
      (err: unknown) => this.opts.log.warn('kafka: leaving the group failed; it notices when the session times out', { error: (err as Error).message }),
    );
    if (!(await settledWithin(left, 2_000))) this.opts.log.warn('kafka: leaving the group got no answer in 2 s; it notices when the session times out', { group: this.opts.groupId });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.intervalMs;
      try {
        await this.beat();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        delay = retryDelayMs(this.failures, 100, 5_000);
        const fields = { group: this.opts.groupId, error: (err as Error).message, attempt: this.failures };
        if (err instanceof MembershipError) this.opts.log.error('kafka: group membership refused; retrying', fields);
        else if (this.failures % 10 === 1) this.opts.log.warn('kafka: heartbeat failed; retrying', fields);
      }
      if (this.beatSoon) {
        this.beatSoon = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      this.beatSoon = false;
    }
  }

  /** One heartbeat; true when the broker answered without error. Throws MembershipError for answers no retry can change. */
  private async beat(): Promise<boolean> {
    let conn;
    try {
      conn = await this.coordinatorConnection();
    } catch (err) {
      this.coordinator = undefined;
      throw err;
    }
    const res = await conn.call(consumerGroupHeartbeat(this.request())).catch((err: unknown) => {
      if (this.coordinator !== undefined) this.pool.drop(this.coordinator, 'group');
      this.coordinator = undefined;
      throw err;
    });
    if (res.error === 0) {
      this.epoch = res.memberEpoch;
      this.intervalMs = res.heartbeatIntervalMs;
      if (res.assignment) {
        this.target = res.assignment.get(this.opts.topicId) ?? [];
        void this.reconcile();
      }
      return true;
    }
    const why = `${errorName(res.error)}${res.message ? `: ${res.message}` : ''}`;
    if (meansCoordinatorMoved(res.error)) {
      this.coordinator = undefined;
      throw new Error(`kafka: group coordinator moved (${why})`);
    }
    if (FENCED.has(res.error)) {
      // The group has given our partitions to others: give them up and join again at once (owning
      // nothing); what the group gives us next waits until the giving up is done.
      this.opts.log.warn('kafka: fenced by the group; giving up every partition and joining again', { group: this.opts.groupId, error: why });
      this.epoch = 0;
      this.target = [];
      void this.reconcile();
      this.requestBeat();
      return false;
    }
    if (res.error === 35) throw new MembershipError(`kafka: the broker does not speak the consumer group protocol of KIP-848 (${why}); rtap needs Kafka 4.0 or later`);
    throw new MembershipError(`kafka: group ${this.opts.groupId} refused member ${this.memberId} (${why})`);
  }

  /** Acts on the newest assignment: revokes first (and waits for it), then takes the new partitions; one pass at a time. */
  private reconcile(): Promise<void> {
    return (this.reconcilePass ??= this.reconcileAll()
      .catch((err: unknown) => this.opts.log.error('kafka: acting on the assignment failed', { error: (err as Error).message }))
      .finally(() => (this.reconcilePass = undefined)));
  }

  /** The next heartbeat leaves now, or right after the one in flight. */
  private requestBeat(): void {
    this.beatSoon = true;
    this.wake?.();
  }

  private async reconcileAll(): Promise<void> {
    while (this.target !== undefined) {
      const want = new Set(this.target);
      this.target = undefined;
      const revoke = [...this.owned].filter((p) => !want.has(p));
      const add = [...want].filter((p) => !this.owned.has(p)).sort((a, b) => a - b);
      if (revoke.length > 0) {
        await this.handlers.revoked(revoke).catch((err: unknown) => this.opts.log.error('kafka: revoking partitions failed; giving them up anyway', { partitions: revoke, error: (err as Error).message }));
        for (const p of revoke) this.owned.delete(p);
      }
      if (add.length > 0) {
        for (const p of add) this.owned.add(p);
        this.handlers.assigned(add);
      }
      // Tell the group at once: it waits for revocations before it hands the partitions on.
      if (revoke.length > 0 || add.length > 0) this.requestBeat();
    }
  }

  private request(): HeartbeatRequest {
    return {
      groupId: this.opts.groupId,
      memberId: this.memberId,
      memberEpoch: this.epoch,
      rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
      topic: this.opts.topic,
      topicId: this.opts.topicId,
      owned: this.epoch === 0 ? [] : [...this.owned], // a member joins owning nothing
    };
  }

  private async coordinatorConnection(): Promise<BrokerConnection> {
    if (this.coordinator === undefined) {
      const c = await (await this.pool.any()).call(findCoordinator(this.opts.groupId));
      if (c.error !== 0) throw new Error(`kafka: no coordinator for group ${this.opts.groupId} (${errorName(c.error)}${c.message ? `: ${c.message}` : ''})`);
      this.pool.learn(c.nodeId, c.host, c.port);
      this.coordinator = c.nodeId;
    }
    return this.pool.connection(this.coordinator, 'group');
  }
}

/** The group will not have this member as asked (authorization, protocol, limits): retrying does not help without a change. */
export class MembershipError extends Error {
  override name = 'MembershipError';
}

