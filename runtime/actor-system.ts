// One ActorSystem per process: owns the dispatcher, dead letters, clock and the top-level
// guardian (/user). A failure escalated to the guardian stops the whole system cleanly and
// resolves `whenTerminated` with exit code 1 instead of restarting forever.
import { Actor } from './actor.ts';
import type { ActorRef, AnyRef, Props, Terminated } from './actor.ts';
import { ActorCell, asCell } from './actor-cell.ts';
import type { CellHost } from './actor-cell.ts';
import { realClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { DeadLetters } from './dead-letters.ts';
import { Dispatcher } from './dispatcher.ts';
import { errorMessage } from './errors.ts';
import { collectStats, statsOf } from './introspection.ts';
import type { ActorStats } from './introspection.ts';
import { consoleLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import { DEFAULT_SUPERVISION } from './supervision.ts';
import type { SupervisorStrategy } from './supervision.ts';

export interface ActorSystemOptions {
  readonly name?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Jitter source for backoff (default Math.random); inject for deterministic tests. */
  readonly random?: () => number;
  /** Messages an actor processes per turn before the next actor runs (default 64). */
  readonly throughput?: number;
  /** Messages processed before yielding to the macrotask queue / I/O (default 10,000). */
  readonly dispatcherBudget?: number;
  /** Time after which the dispatcher yields to I/O regardless of the budget (default 5 ms). */
  readonly dispatcherSliceMs?: number;
  /** Default ask timeout (default 5,000 ms). */
  readonly askTimeoutMs?: number;
  /** Strategy for children that do not set one in Props (default restart, 10 within 60 s). */
  readonly defaultSupervision?: SupervisorStrategy;
  /** Dead letters logged individually before only counting (default 10). */
  readonly logDeadLetters?: number;
}

export interface TerminationResult {
  /** 0 after terminate(), 1 when a failure escalated past the guardian. */
  readonly exitCode: number;
  readonly reason: 'terminated' | 'failure';
  readonly error?: unknown;
}

class Guardian extends Actor<never> {
  receive(): void {}
}

export class ActorSystem {
  readonly name: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly deadLetters: DeadLetters;
  /** Resolves once every actor has stopped. */
  readonly whenTerminated: Promise<TerminationResult>;
  private readonly guardian: ActorCell<never>;
  private resolveTerminated!: (result: TerminationResult) => void;
  private terminating: Promise<TerminationResult> | undefined;

  constructor(options: ActorSystemOptions = {}) {
    this.name = options.name ?? 'rtap';
    this.clock = options.clock ?? realClock;
    this.log = options.logger ?? consoleLogger;
    this.deadLetters = new DeadLetters(this.log, options.logDeadLetters ?? 10);
    this.whenTerminated = new Promise((resolve) => (this.resolveTerminated = resolve));
    const host: CellHost = {
      system: this,
      clock: this.clock,
      log: this.log,
      dispatcher: new Dispatcher(this.log, options.dispatcherBudget ?? 10_000, options.dispatcherSliceMs ?? 5),
      deadLetters: this.deadLetters,
      random: options.random ?? Math.random,
      askTimeoutMs: options.askTimeoutMs ?? 5_000,
      throughput: options.throughput ?? 64,
      defaultSupervision: options.defaultSupervision ?? DEFAULT_SUPERVISION,
      guardianFailed: (error) => this.guardianFailed(error),
    };
    this.guardian = new ActorCell<never>(host, undefined, 'user', () => new Guardian(), {});
    this.guardian.instantiate(undefined, false);
  }

  get isTerminated(): boolean {
    return this.terminating !== undefined;
  }

  /** Spawns a top-level actor under /user. */
  spawn<M>(factory: () => Actor<M>, props?: Props): ActorRef<M> {
    if (this.terminating !== undefined) throw new Error(`actor system ${this.name} is terminated`);
    return this.guardian.spawn(factory, props);
  }

  /** Stops any actor; resolves when it and its descendants have terminated. */
  stop(ref: AnyRef): Promise<void> {
    const cell = asCell(ref);
    if (cell === undefined) return Promise.reject(new Error('not a local actor ref'));
    return cell.stopWith('stopped', undefined);
  }

  /** Calls `listener` once when `ref` ends (at once if it already has). Returns an unsubscribe. */
  watch(ref: AnyRef, listener: (terminated: Terminated) => void): () => void {
    const cell = asCell(ref);
    if (cell === undefined) throw new Error('can only watch local actor refs');
    const entry = { onTerminated: listener };
    cell.addListener(entry);
    return () => cell.removeListener(entry);
  }

  /** Resolves when `ref` ends. */
  whenStopped(ref: AnyRef): Promise<Terminated> {
    return new Promise((resolve) => this.watch(ref, resolve));
  }

  /** Looks up a live actor by path, e.g. /user/ingest/events-3. */
  lookup(path: string): AnyRef | undefined {
    const parts = path.split('/').filter((p) => p.length > 0);
    if (parts[0] !== 'user') return undefined;
    let cell: ActorCell<never> | undefined = this.guardian;
    for (const part of parts.slice(1)) {
      const next: AnyRef | undefined = cell?.child(part);
      cell = next === undefined ? undefined : asCell(next);
    }
    return cell;
  }

  /** Stats of every live actor (depth-first from /user). */
  inspect(): ActorStats[] {
    return collectStats(this.guardian);
  }

  inspectOne(ref: AnyRef): ActorStats | undefined {
    const cell = asCell(ref);
    return cell === undefined ? undefined : statsOf(cell);
  }

  /** Stops all actors (children before parents, postStop hooks awaited). Idempotent. */
  terminate(): Promise<TerminationResult> {
    return this.shutdown({ exitCode: 0, reason: 'terminated' });
  }

  private guardianFailed(error: unknown): void {
    this.log.error('failure escalated to the guardian; stopping the actor system', { error: errorMessage(error) });
    void this.shutdown({ exitCode: 1, reason: 'failure', error });
  }

  private shutdown(result: TerminationResult): Promise<TerminationResult> {
    if (this.terminating !== undefined) return this.terminating;
    this.terminating = this.guardian.stopWith('stopped', undefined).then(() => {
      this.resolveTerminated(result);
      return result;
    });
    return this.terminating;
  }
}
