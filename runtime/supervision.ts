// Supervisor strategies: what a parent does when a child fails. Attached per child via Props.
import { errorMessage } from './errors.ts';

export type Directive = 'restart' | 'resume' | 'stop' | 'escalate';
/** one-for-one: only the failed child is affected; all-for-one: its siblings get the same directive. */
export type SupervisionScope = 'one-for-one' | 'all-for-one';

export interface Backoff {
  /** Delay before the first restart in a window. */
  readonly minMs: number;
  /** Upper bound for the doubling delay. */
  readonly maxMs: number;
  /** Adds up to this fraction of random jitter (0.2 = +0..20%), so restarts do not synchronise. */
  readonly randomFactor: number;
}

export interface SupervisorStrategy {
  /** Maps a failure to a directive; throwing here escalates. */
  readonly decide: (error: unknown) => Directive;
  /** Restarts allowed within `withinMs`; one more escalates with RestartBudgetExceededError. */
  readonly maxRestarts: number;
  readonly withinMs: number;
  /** Undefined: restart immediately. */
  readonly backoff: Backoff | undefined;
  readonly scope: SupervisionScope;
}

export interface RestartOptions {
  readonly maxRestarts?: number;
  readonly withinMs?: number;
  readonly backoff?: Partial<Backoff>;
  readonly scope?: SupervisionScope;
  /** Per-error override, e.g. resume on validation errors; return undefined to restart. */
  readonly decide?: (error: unknown) => Directive | undefined;
}

const fixed = (directive: Directive, scope: SupervisionScope = 'one-for-one'): SupervisorStrategy =>
  Object.freeze({ decide: () => directive, maxRestarts: 0, withinMs: 0, backoff: undefined, scope });

export const Supervision = {
  /** Restart the child (fresh instance, children stopped, timers cancelled), within a budget. */
  restart(options: RestartOptions = {}): SupervisorStrategy {
    const decide = options.decide;
    const backoff = options.backoff;
    return Object.freeze({
      decide: decide === undefined ? (): Directive => 'restart' : (error: unknown): Directive => decide(error) ?? 'restart',
      maxRestarts: options.maxRestarts ?? 10,
      withinMs: options.withinMs ?? 60_000,
      backoff:
        backoff === undefined
          ? undefined
          : Object.freeze({
              minMs: backoff.minMs ?? 100,
              maxMs: backoff.maxMs ?? 30_000,
              randomFactor: backoff.randomFactor ?? 0.2,
            }),
      scope: options.scope ?? 'one-for-one',
    });
  },
  /** Keep the child's state and continue with the next message. */
  resume: (): SupervisorStrategy => fixed('resume'),
  /** Stop the child (watchers see reason 'failed'). */
  stop: (scope?: SupervisionScope): SupervisorStrategy => fixed('stop', scope),
  /** Fail the parent with the child's error. */
  escalate: (): SupervisorStrategy => fixed('escalate'),
} as const;

export const DEFAULT_SUPERVISION: SupervisorStrategy = Supervision.restart();

/** Delay before restart number `attempt` (0-based) within the current window. */
export function backoffDelay(backoff: Backoff, attempt: number, random: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (1 + backoff.randomFactor * random()));
}

export interface FailureInfo {
  readonly message: string;
  readonly error: unknown;
  readonly at: number;
}

export function failureInfo(error: unknown, at: number): FailureInfo {
  return { message: errorMessage(error), error, at };
}
