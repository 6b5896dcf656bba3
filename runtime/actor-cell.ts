// The runtime side of one actor. A single object is the actor's ref, its context and the holder
// of its mailbox, so an idle actor costs one cell + one mailbox + the user's instance. Optional
// parts (children, watchers, timers, stash, extensions, restart history) are created on first use.
import { constructWith } from './actor.ts';
import type { Actor, ActorContext, ActorRef, AnyRef, LifecycleExtension, Props, StopReason, Terminated } from './actor.ts';
import type { ActorSystem } from './actor-system.ts';
import { AskRef } from './ask.ts';
import type { DeathListener } from './ask.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { Dispatcher, Runnable } from './dispatcher.ts';
import { ActorStoppedError, RestartBudgetExceededError, StashOverflowError } from './errors.ts';
import type { Logger } from './logger.ts';
import { Mailbox, PUSH_EVICTED, PUSH_OK, resolveMailboxConfig } from './mailbox.ts';
import { backoffDelay, failureInfo } from './supervision.ts';
import type { FailureInfo, SupervisorStrategy } from './supervision.ts';
import { TimerScheduler } from './timers.ts';
import type { Timers } from './timers.ts';

/** What cells need from their system. @internal */
export interface CellHost {
  readonly system: ActorSystem;
  readonly clock: Clock;
  readonly log: Logger;
  readonly dispatcher: Dispatcher;
  readonly deadLetters: DeadLetters;
  readonly random: () => number;
  readonly askTimeoutMs: number;
  readonly throughput: number;
  readonly defaultSupervision: SupervisorStrategy;
  /** A failure escalated past the top-level guardian. */
  guardianFailed(error: unknown): void;
}

export type ActorStatus = 'starting' | 'running' | 'suspended' | 'stopping' | 'stopped';

const STARTING = 0;
const RUNNING = 1;
/** Failed; waiting for the supervisor's decision, a backoff, or a restart in progress. */
const SUSPENDED = 2;
const STOPPING = 3;
const STOPPED = 4;
const STATUS_NAMES: readonly ActorStatus[] = ['starting', 'running', 'suspended', 'stopping', 'stopped'];

const EMPTY_PROPS: Props = Object.freeze({});
const DEFAULT_STASH_CAPACITY = 10_000;
const RESOLVED_TRUE = Promise.resolve(true);
const RESOLVED_FALSE = Promise.resolve(false);

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== undefined && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

export function asCell(ref: AnyRef): ActorCell<never> | undefined {
  return ref instanceof ActorCell ? (ref as ActorCell<never>) : undefined;
}

export class ActorCell<Msg> implements ActorRef<Msg>, ActorContext<Msg>, Runnable {
  scheduled = false;
  readonly path: string;
  readonly mailbox: Mailbox<Msg>;
  processed = 0;
  processingMs = 0;
  restarts = 0;
  lastFailure: FailureInfo | undefined = undefined;

  private status = STARTING;
  /** An async receive or lifecycle step is in flight; nothing else may run. */
  private busy = false;
  /** Incarnation number; async completions of a replaced incarnation are ignored. */
  private gen = 0;
  private finalizing = false;
  private actor: Actor<Msg> | undefined = undefined;
  private kids: Map<string, ActorCell<never>> | undefined = undefined;
  private nextChildId = 0;
  private listeners: Set<DeathListener> | undefined = undefined;
  private watching: Map<ActorCell<never>, DeathListener> | undefined = undefined;
  private timerScheduler: TimerScheduler<Msg> | undefined = undefined;
  private stashed: Msg[] | undefined = undefined;
  private extensions: LifecycleExtension[] | undefined = undefined;
  /** Restart timestamps within the supervisor's window (this cell as a child). */
  private restartTimes: number[] | undefined = undefined;
  private pendingRestart: TimerHandle = undefined;
  private stopReason: StopReason = 'stopped';
  private stopError: unknown = undefined;
  private termination: { promise: Promise<void>; resolve: () => void } | undefined = undefined;

  constructor(
    private readonly host: CellHost,
    private readonly parentCell: ActorCell<never> | undefined,
    readonly name: string,
    private readonly factory: () => Actor<Msg>,
    private readonly props: Props,
  ) {
    this.path = parentCell === undefined ? `/${name}` : `${parentCell.path}/${name}`;
    this.mailbox = new Mailbox<Msg>(resolveMailboxConfig(props.mailbox));
  }

  // ---------------------------------------------------------------- ActorRef

  get isAlive(): boolean {
    return this.status !== STOPPED;
  }

  tell(msg: Msg): boolean {
    if (this.status >= STOPPING) {
      this.host.deadLetters.publish(this.path, msg, 'stopped');
      return false;
    }
    const result = this.mailbox.push(msg);
    if (result !== PUSH_OK) {
      if (result === PUSH_EVICTED) {
        const evicted = this.mailbox.evicted;
        this.mailbox.evicted = undefined;
        this.host.deadLetters.publish(this.path, evicted, 'dropped-oldest');
      } else {
        this.host.deadLetters.publish(this.path, msg, this.mailbox.policy === 'drop-newest' ? 'dropped-newest' : 'mailbox-full');
        return false;
      }
    }
    if (!this.scheduled && this.status === RUNNING && !this.busy) this.host.dispatcher.schedule(this);
    return true;
  }

  send(msg: Msg): Promise<boolean> {
    if (this.mailbox.policy !== 'backpressure' || !this.mailbox.isFull || this.status >= STOPPING) {
      return this.tell(msg) ? RESOLVED_TRUE : RESOLVED_FALSE;
    }
    return this.sendWhenWritable(msg);
  }

  private async sendWhenWritable(msg: Msg): Promise<boolean> {
    while (this.mailbox.isFull && this.status < STOPPING) await this.mailbox.whenWritable();
    return this.tell(msg);
  }

  ask<R>(make: (replyTo: ActorRef<R>) => Msg, timeoutMs: number = this.host.askTimeoutMs): Promise<R> {
    if (this.status >= STOPPING) return Promise.reject(new ActorStoppedError(this.path));
    return new Promise<R>((resolve, reject) => {
      const host = this.host;
      const replyTo = new AskRef<R>(this, resolve, reject, host.clock, host.deadLetters);
      (this.listeners ??= new Set()).add(replyTo);
      replyTo.timer = host.clock.setTimeout(() => replyTo.timeout(timeoutMs), timeoutMs);
      let msg: Msg;
      try {
        msg = make(replyTo);
      } catch (error) {
        replyTo.undeliverable(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (!this.tell(msg)) replyTo.undeliverable(new Error(`ask to ${this.path}: message not accepted (mailbox full or actor stopped)`));
    });
  }

  // ---------------------------------------------------------------- ActorContext

  get self(): ActorRef<Msg> {
    return this;
  }
  get parent(): AnyRef | undefined {
    return this.parentCell;
  }
  get system(): ActorSystem {
    return this.host.system;
  }
  get clock(): Clock {
    return this.host.clock;
  }
  get log(): Logger {
    return this.host.log;
  }
  get timers(): Timers<Msg> {
    return (this.timerScheduler ??= new TimerScheduler<Msg>(this, this.host.clock));
  }
  get stashSize(): number {
    return this.stashed?.length ?? 0;
  }

  spawn<M>(factory: () => Actor<M>, props: Props = EMPTY_PROPS): ActorRef<M> {
    if (this.status >= STOPPING) throw new Error(`cannot spawn a child of ${this.path}: it is stopping`);
    const name = props.name ?? `$${(this.nextChildId++).toString(36)}`;
    if (name.length === 0 || name.includes('/')) throw new Error(`invalid actor name ${JSON.stringify(name)}`);
    const kids = (this.kids ??= new Map());
    if (kids.has(name)) throw new Error(`actor name ${name} is not unique under ${this.path}`);
    const child = new ActorCell<M>(this.host, this.asAny(), name, factory, props);
    kids.set(name, child as ActorCell<never>);
    child.instantiate(undefined, false);
    return child;
  }

  stop(ref: AnyRef): Promise<void> {
    const cell = asCell(ref);
    if (cell === undefined) return Promise.reject(new Error('not a local actor ref'));
    if (cell !== (this as unknown) && cell.parentCell !== (this as unknown)) {
      return Promise.reject(new Error(`${this.path} can only stop itself or its children, not ${cell.path}`));
    }
    return cell.stopWith('stopped', undefined);
  }

  stopSelf(): void {
    void this.stopWith('stopped', undefined);
  }

  child(name: string): AnyRef | undefined {
    return this.kids?.get(name);
  }

  children(): AnyRef[] {
    return this.kids === undefined ? [] : [...this.kids.values()];
  }

  watch(ref: AnyRef, toMsg: (terminated: Terminated) => Msg): void {
    const target = asCell(ref);
    if (target === undefined) throw new Error('can only watch local actor refs');
    this.unwatch(ref);
    const listener: DeathListener = {
      onTerminated: (terminated) => {
        this.watching?.delete(target);
        this.tell(toMsg(terminated));
      },
    };
    (this.watching ??= new Map()).set(target, listener);
    target.addListener(listener);
  }

  unwatch(ref: AnyRef): void {
    const target = asCell(ref);
    const listener = target === undefined ? undefined : this.watching?.get(target);
    if (target === undefined || listener === undefined) return;
    this.watching?.delete(target);
    target.removeListener(listener);
  }

  stash(msg: Msg): void {
    const stashed = (this.stashed ??= []);
    const capacity = this.props.stashCapacity ?? DEFAULT_STASH_CAPACITY;
    if (stashed.length >= capacity) throw new StashOverflowError(this.path, capacity);
    stashed.push(msg);
  }

  unstashAll(): void {
    const stashed = this.stashed;
    if (stashed === undefined) return;
    this.stashed = undefined;
    for (let i = stashed.length - 1; i >= 0; i--) this.mailbox.unshift(stashed[i] as Msg);
    if (!this.scheduled && this.status === RUNNING && !this.busy && this.mailbox.size > 0) this.host.dispatcher.schedule(this);
  }

  addExtension(extension: LifecycleExtension): void {
    (this.extensions ??= []).push(extension);
  }

  // ---------------------------------------------------------------- death watch

  /** Registers a listener; fires at once (next microtask) if already stopped. @internal */
  addListener(listener: DeathListener): void {
    if (this.status === STOPPED) {
      const terminated = this.terminatedEvent();
      queueMicrotask(() => listener.onTerminated(terminated));
      return;
    }
    (this.listeners ??= new Set()).add(listener);
  }

  removeListener(listener: DeathListener): void {
    this.listeners?.delete(listener);
  }

  private terminatedEvent(): Terminated {
    return this.stopReason === 'failed'
      ? { ref: this.asAny(), path: this.path, reason: 'failed', error: this.stopError }
      : { ref: this.asAny(), path: this.path, reason: 'stopped' };
  }

  // ---------------------------------------------------------------- message processing

  run(): number {
    if (this.status !== RUNNING || this.busy) return 0;
    const actor = this.actor as Actor<Msg>;
    const mailbox = this.mailbox;
    const limit = this.props.throughput ?? this.host.throughput;
    const started = performance.now();
    let n = 0;
    while (n < limit && mailbox.size > 0) {
      const msg = mailbox.shift();
      n++;
      let result: void | Promise<void>;
      try {
        result = actor.receive(msg);
      } catch (error) {
        this.account(n, started);
        this.fail(error);
        return n;
      }
      if (isThenable(result)) {
        this.account(n - 1, started);
        this.awaitReceive(result, performance.now());
        return n;
      }
      if (this.status !== RUNNING) break;
    }
    this.account(n, started);
    if (this.status === RUNNING && mailbox.size > 0 && !this.scheduled) this.host.dispatcher.schedule(this);
    return n;
  }

  private account(n: number, started: number): void {
    if (n === 0) return;
    this.processed += n;
    this.processingMs += performance.now() - started;
    const extensions = this.extensions;
    if (extensions !== undefined) for (const ext of extensions) ext.afterMessages?.(n);
  }

  private awaitReceive(result: PromiseLike<unknown>, started: number): void {
    const gen = this.gen;
    this.busy = true;
    result.then(
      () => {
        if (gen !== this.gen) return;
        this.busy = false;
        this.account(1, started);
        this.continueAfterAsync();
      },
      (error: unknown) => {
        if (gen !== this.gen) return;
        this.busy = false;
        this.account(1, started);
        if (this.status === STOPPING) this.requestFinalize();
        else this.fail(error);
      },
    );
  }

  private continueAfterAsync(): void {
    if (this.status === STOPPING) this.requestFinalize();
    else if (this.status === RUNNING && this.mailbox.size > 0 && !this.scheduled) this.host.dispatcher.schedule(this);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Runs a possibly-async lifecycle step; failures go to the supervisor, stops win. */
  private step(hook: () => void | Promise<void>, next: () => void): void {
    const gen = this.gen;
    let result: void | Promise<void>;
    try {
      result = hook();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!isThenable(result)) {
      next();
      return;
    }
    this.busy = true;
    result.then(
      () => {
        if (gen !== this.gen) return;
        this.busy = false;
        if (this.status === STOPPING) this.requestFinalize();
        else next();
      },
      (error: unknown) => {
        if (gen !== this.gen) return;
        this.busy = false;
        if (this.status === STOPPING) this.requestFinalize();
        else this.fail(error);
      },
    );
  }

  /** Creates an incarnation and runs preStart (and postRestart). @internal */
  instantiate(cause: unknown, isRestart: boolean): void {
    this.status = STARTING;
    this.step(
      () => {
        const actor = constructWith(this, this.factory);
        this.actor = actor;
        return actor.preStart?.();
      },
      () => {
        if (this.status !== STARTING) return;
        const actor = this.actor as Actor<Msg>;
        const started = (): void => {
          if (this.status !== STARTING) return;
          this.status = RUNNING;
          this.continueAfterAsync();
        };
        if (isRestart && actor.postRestart !== undefined) this.step(() => actor.postRestart?.(cause), started);
        else started();
      },
    );
  }

  /** This actor failed: suspend and let the parent's strategy decide. */
  private fail(error: unknown): void {
    if (this.status >= STOPPING) {
      this.host.log.warn('actor failed while stopping', { path: this.path, error });
      return;
    }
    this.status = SUSPENDED;
    this.lastFailure = failureInfo(error, this.host.clock.now());
    if (this.parentCell === undefined) this.host.guardianFailed(error);
    else this.parentCell.childFailed(this.asAny(), error);
  }

  private childFailed(child: ActorCell<never>, error: unknown): void {
    const strategy = child.props.supervision ?? this.host.defaultSupervision;
    let directive;
    try {
      directive = strategy.decide(error);
    } catch (decideError) {
      this.host.log.error('supervisor decide threw; escalating', { path: child.path, error: decideError });
      directive = 'escalate' as const;
    }
    this.host.log.warn('actor failed', { path: child.path, directive, error });
    const siblings = strategy.scope === 'all-for-one' ? this.children().map((c) => asCell(c) as ActorCell<never>).filter((c) => c !== child) : [];
    switch (directive) {
      case 'resume':
        child.resume();
        return;
      case 'stop':
        void child.stopWith('failed', error);
        for (const sibling of siblings) void sibling.stopWith('stopped', undefined);
        return;
      case 'escalate':
        this.fail(error);
        return;
      case 'restart': {
        const now = this.host.clock.now();
        const times = (child.restartTimes ??= []);
        while (times.length > 0 && (times[0] as number) <= now - strategy.withinMs) times.shift();
        if (times.length >= strategy.maxRestarts) {
          this.fail(new RestartBudgetExceededError(child.path, strategy.maxRestarts, strategy.withinMs, { cause: error }));
          return;
        }
        const delay = strategy.backoff === undefined ? 0 : backoffDelay(strategy.backoff, times.length, this.host.random);
        times.push(now);
        child.scheduleRestart(error, delay);
        // Siblings already suspended are handling a failure of their own; do not double-restart.
        for (const sibling of siblings) {
          if (sibling.status === RUNNING || sibling.status === STARTING) sibling.scheduleRestart(error, delay);
        }
        return;
      }
    }
  }

  private resume(): void {
    if (this.status !== SUSPENDED) return;
    this.status = RUNNING;
    // Children suspended by a failure they escalated to us resume with us (as in Akka).
    if (this.kids !== undefined) {
      for (const kid of this.kids.values()) if (kid.status === SUSPENDED && kid.pendingRestart === undefined && !kid.busy) kid.resume();
    }
    this.continueAfterAsync();
  }

  private scheduleRestart(error: unknown, delayMs: number): void {
    if (this.pendingRestart !== undefined) this.host.clock.clearTimeout(this.pendingRestart);
    this.pendingRestart = undefined;
    this.status = SUSPENDED;
    this.gen++; // orphan any in-flight async step of the old incarnation
    this.busy = false;
    if (delayMs <= 0) {
      void this.restart(error);
      return;
    }
    this.pendingRestart = this.host.clock.setTimeout(() => {
      this.pendingRestart = undefined;
      void this.restart(error);
    }, delayMs);
  }

  private async restart(error: unknown): Promise<void> {
    if (this.status !== SUSPENDED) return;
    this.busy = true; // a concurrent stop waits for the teardown below
    const old = this.actor;
    try {
      await old?.preRestart?.(error);
    } catch (hookError) {
      this.host.log.warn('preRestart threw', { path: this.path, error: hookError });
    }
    await this.stopChildren();
    this.timerScheduler?.cancelAll();
    const extensions = this.extensions;
    this.extensions = undefined;
    if (extensions !== undefined) for (const ext of extensions) ext.onRestart?.();
    this.unstashAll();
    this.busy = false;
    if (this.currentStatus() === STOPPING) {
      this.requestFinalize();
      return;
    }
    this.restarts++;
    this.gen++;
    this.instantiate(error, true);
  }

  /** Stops this actor; resolves when it (and its children) have terminated. @internal */
  stopWith(reason: StopReason, error: unknown): Promise<void> {
    if (this.status === STOPPED) return Promise.resolve();
    const termination = (this.termination ??= deferred());
    if (this.status === STOPPING) return termination.promise;
    this.status = STOPPING;
    this.stopReason = reason;
    this.stopError = error;
    if (this.pendingRestart !== undefined) {
      this.host.clock.clearTimeout(this.pendingRestart);
      this.pendingRestart = undefined;
    }
    this.requestFinalize();
    return termination.promise;
  }

  private requestFinalize(): void {
    if (this.busy || this.finalizing) return;
    this.finalizing = true;
    // Deferred so a stopSelf() inside receive/preStart never runs postStop re-entrantly.
    queueMicrotask(() => void this.finalize());
  }

  private async finalize(): Promise<void> {
    const host = this.host;
    this.timerScheduler?.cancelAll();
    await this.stopChildren();
    const extensions = this.extensions;
    this.extensions = undefined;
    if (extensions !== undefined) {
      for (const ext of extensions) {
        try {
          await ext.onStop?.(this.stopReason);
        } catch (error) {
          host.log.warn('lifecycle extension onStop failed', { path: this.path, error });
        }
      }
    }
    try {
      await this.actor?.postStop?.();
    } catch (error) {
      host.log.warn('postStop threw', { path: this.path, error });
    }
    this.status = STOPPED;
    this.actor = undefined;
    this.gen++;
    const mailbox = this.mailbox;
    while (mailbox.size > 0) host.deadLetters.publish(this.path, mailbox.shift(), 'stopped');
    mailbox.releaseWaiters();
    const stashed = this.stashed;
    this.stashed = undefined;
    if (stashed !== undefined) for (const msg of stashed) host.deadLetters.publish(this.path, msg, 'stopped');
    if (this.watching !== undefined) {
      for (const [target, listener] of this.watching) target.removeListener(listener);
      this.watching = undefined;
    }
    const parent = this.parentCell;
    if (parent?.kids?.get(this.name) === this.asAny()) parent.kids.delete(this.name);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) {
      const terminated = this.terminatedEvent();
      for (const listener of listeners) {
        try {
          listener.onTerminated(terminated);
        } catch (error) {
          host.log.error('death watch listener threw', { path: this.path, error });
        }
      }
    }
    this.termination?.resolve();
  }

  private async stopChildren(): Promise<void> {
    const kids = this.kids;
    if (kids === undefined || kids.size === 0) return;
    await Promise.all([...kids.values()].map((kid) => kid.stopWith('stopped', undefined)));
  }

  private asAny(): ActorCell<never> {
    return this as unknown as ActorCell<never>;
  }

  /** Reads the status without TypeScript narrowing it across awaits. */
  private currentStatus(): number {
    return this.status;
  }

  // ---------------------------------------------------------------- introspection

  get statusName(): ActorStatus {
    return STATUS_NAMES[this.status] as ActorStatus;
  }

  /** @internal */
  childCells(): Iterable<ActorCell<never>> {
    return this.kids?.values() ?? [];
  }

  get childCount(): number {
    return this.kids?.size ?? 0;
  }

  get timerCount(): number {
    return this.timerScheduler?.size ?? 0;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
