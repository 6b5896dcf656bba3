// Messages that could not be delivered. Counted and observable so nothing is dropped silently.
import type { Logger } from './logger.ts';

export type DeadLetterReason = 'stopped' | 'mailbox-full' | 'dropped-newest' | 'dropped-oldest' | 'late-reply';

export interface DeadLetter {
  readonly recipient: string;
  readonly message: unknown;
  readonly reason: DeadLetterReason;
}

export type DeadLetterListener = (letter: DeadLetter) => void;

export class DeadLetters {
  private total = 0;
  private readonly perReason = new Map<DeadLetterReason, number>();
  private listeners: DeadLetterListener[] | undefined;

  constructor(
    private readonly log: Logger,
    /** How many dead letters are logged individually before only counting (avoid log floods). */
    private readonly logFirst: number,
  ) {}

  get count(): number {
    return this.total;
  }

  countOf(reason: DeadLetterReason): number {
    return this.perReason.get(reason) ?? 0;
  }

  subscribe(listener: DeadLetterListener): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      this.listeners = this.listeners?.filter((l) => l !== listener);
    };
  }

  publish(recipient: string, message: unknown, reason: DeadLetterReason): void {
    this.total++;
    this.perReason.set(reason, (this.perReason.get(reason) ?? 0) + 1);
    if (this.total <= this.logFirst) {
      this.log.warn('dead letter', { recipient, reason, total: this.total });
    }
    const listeners = this.listeners;
    if (listeners === undefined || listeners.length === 0) return;
    const letter: DeadLetter = { recipient, message, reason };
    for (const listener of listeners) {
      try {
        listener(letter);
      } catch (error) {
        this.log.error('dead letter listener threw', { error });
      }
    }
  }
}
