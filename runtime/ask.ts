// One-shot reply ref behind `ask`. It watches the target so a dead target rejects the ask at once
// instead of after the timeout; late replies go to dead letters.
import type { ActorRef, Terminated } from './actor.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import { ActorStoppedError, AskTimeoutError } from './errors.ts';
import type { MailboxView } from './mailbox.ts';

export interface DeathListener {
  onTerminated(terminated: Terminated): void;
}

export interface AskTarget {
  readonly path: string;
  removeListener(listener: DeathListener): void;
}

const NO_MAILBOX: MailboxView = Object.freeze({
  depth: 0,
  capacity: 1,
  policy: 'drop-newest',
  dropped: 0,
  aboveHighWaterMark: false,
  onWaterMark: () => () => undefined,
  whenWritable: () => Promise.resolve(),
});

export class AskRef<R> implements ActorRef<R>, DeathListener {
  private settled = false;
  timer: TimerHandle = undefined;

  constructor(
    private readonly target: AskTarget,
    private readonly resolve: (value: R) => void,
    private readonly reject: (error: Error) => void,
    private readonly clock: Clock,
    private readonly deadLetters: DeadLetters,
  ) {}

  get path(): string {
    return `${this.target.path}/$ask`;
  }
  get name(): string {
    return '$ask';
  }
  get isAlive(): boolean {
    return !this.settled;
  }
  get mailbox(): MailboxView {
    return NO_MAILBOX;
  }

  tell(msg: R): boolean {
    if (this.settled) {
      this.deadLetters.publish(this.path, msg, 'late-reply');
      return false;
    }
    this.finish();
    this.resolve(msg);
    return true;
  }

  send(msg: R): Promise<boolean> {
    return Promise.resolve(this.tell(msg));
  }

  ask<R2>(_make: (replyTo: ActorRef<R2>) => R, _timeoutMs?: number): Promise<R2> {
    return Promise.reject(new Error('cannot ask a reply ref'));
  }

  onTerminated(): void {
    if (this.settled) return;
    this.settled = true;
    this.clock.clearTimeout(this.timer);
    this.reject(new ActorStoppedError(this.target.path));
  }

  timeout(timeoutMs: number): void {
    if (this.settled) return;
    this.finish();
    this.reject(new AskTimeoutError(this.target.path, timeoutMs));
  }

  /** The ask message could not even be enqueued. */
  undeliverable(error: Error): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  }

  private finish(): void {
    this.settled = true;
    this.clock.clearTimeout(this.timer);
    this.target.removeListener(this);
  }
}
