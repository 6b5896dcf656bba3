// The public actor programming model: extend Actor<Msg>, implement receive, spawn it with a factory.
import type { ActorSystem } from './actor-system.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { MailboxOptions, MailboxView } from './mailbox.ts';
import type { SupervisorStrategy } from './supervision.ts';
import type { Timers } from './timers.ts';

/** A typed address. Cheap to hold and pass around; never exposes the actor instance. */
export interface ActorRef<Msg> {
  readonly path: string;
  readonly name: string;
  /** False once the actor has fully stopped. */
  readonly isAlive: boolean;
  readonly mailbox: MailboxView;
  /** Fire-and-forget. Returns false if not enqueued (the message went to dead letters). */
  tell(msg: Msg): boolean;
  /**
   * Like tell, but with a backpressure mailbox waits for capacity instead of refusing.
   * Resolves true once enqueued, false if the actor stopped (message dead-lettered).
   */
  send(msg: Msg): Promise<boolean>;
  /**
   * Request/response: `make` builds the message around a one-shot reply ref. Rejects with
   * AskTimeoutError after `timeoutMs`, and at once with ActorStoppedError if the actor is or
   * becomes dead.
   */
  ask<R>(make: (replyTo: ActorRef<R>) => Msg, timeoutMs?: number): Promise<R>;
}

/** Any ref, whatever its message type (for stop/watch/parent). */
export type AnyRef = ActorRef<never>;

export type StopReason = 'stopped' | 'failed';

/** Death-watch notification. `failed`: stopped by its supervisor after a failure (see `error`). */
export interface Terminated {
  readonly ref: AnyRef;
  readonly path: string;
  readonly reason: StopReason;
  readonly error?: unknown;
}

export interface Props {
  /** Unique among siblings; default `$<n>`. Must not contain '/'. */
  readonly name?: string;
  readonly mailbox?: MailboxOptions;
  /** How the parent handles this child's failures (default: restart, 10 within 60 s). */
  readonly supervision?: SupervisorStrategy;
  /** Max messages per scheduling turn before yielding to other actors (default: system's). */
  readonly throughput?: number;
  /** Max stashed messages (default 10,000). */
  readonly stashCapacity?: number;
}

/** Generic hooks into an actor's lifecycle, used by helpers such as Persistence. */
export interface LifecycleExtension {
  /** After a scheduling turn in which `messages` messages were processed. */
  afterMessages?(messages: number): void;
  /** The actor is stopping (before postStop). Awaited. */
  onStop?(reason: StopReason): void | Promise<void>;
  /** The incarnation is being replaced by a restart; drop timers, do not persist. */
  onRestart?(): void;
}

export interface ActorContext<Msg> {
  readonly self: ActorRef<Msg>;
  readonly parent: AnyRef | undefined;
  readonly system: ActorSystem;
  readonly path: string;
  readonly name: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Keyed timers delivering messages to self; cancelled on stop and restart. */
  readonly timers: Timers<Msg>;
  spawn<M>(factory: () => Actor<M>, props?: Props): ActorRef<M>;
  /** Stops a child (or self); resolves when it has fully terminated. */
  stop(ref: AnyRef): Promise<void>;
  stopSelf(): void;
  child(name: string): AnyRef | undefined;
  children(): AnyRef[];
  /** Delivers `toMsg(terminated)` to self when `ref` ends (at once if it already has). */
  watch(ref: AnyRef, toMsg: (terminated: Terminated) => Msg): void;
  unwatch(ref: AnyRef): void;
  /** Sets a message aside (e.g. while restoring state); throws StashOverflowError when full. */
  stash(msg: Msg): void;
  /** Puts all stashed messages back at the head of the mailbox, in their original order. */
  unstashAll(): void;
  readonly stashSize: number;
  addExtension(extension: LifecycleExtension): void;
}

let constructing: ActorContext<unknown> | undefined;

/** Runs `factory` with `ctx` as the context picked up by the Actor constructor. @internal */
export function constructWith<M>(ctx: ActorContext<M>, factory: () => Actor<M>): Actor<M> {
  const previous = constructing;
  constructing = ctx as ActorContext<unknown>;
  try {
    return factory();
  } finally {
    constructing = previous;
  }
}

/**
 * Base class for actors. One message is processed at a time; `receive` may be async, in which
 * case the next message waits for it (a rejection is a failure, like a throw).
 *
 * Lifecycle: constructor → preStart → receive* → postStop. On restart by a supervisor:
 * old.preRestart(error) → children stopped, timers cancelled, stash returned to the mailbox →
 * new instance → preStart → postRestart(error). Hooks may be async; messages wait meanwhile.
 */
export abstract class Actor<Msg> {
  protected readonly context: ActorContext<Msg>;

  constructor() {
    const ctx = constructing;
    if (ctx === undefined) throw new Error('actors are created by spawn(() => new MyActor()), not with new directly');
    this.context = ctx as ActorContext<Msg>;
  }

  abstract receive(msg: Msg): void | Promise<void>;
  preStart?(): void | Promise<void>;
  postStop?(): void | Promise<void>;
  preRestart?(error: unknown): void | Promise<void>;
  postRestart?(error: unknown): void | Promise<void>;
}
