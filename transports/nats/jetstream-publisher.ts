// Publishes batches of messages to JetStream and resolves when the stream has stored all of them.
// nats.js's `js.publish` makes every message a request of its own (an error object for its stack,
// a timer, a promise chain): a quarter of a node's NATS time at 10k events/s. Here a batch is plain
// publishes whose reply subjects share one wildcard subscription, with one timer per batch.
// JetStream answers each with a PubAck (`{"stream":…,"seq":…,"duplicate"?:true}`) or an error.
import { createInbox, headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from 'nats';
import { TRACEPARENT_HEADER } from './contracts.ts';

export interface JetStreamMessage {
  subject: string;
  data: Uint8Array;
  /** Nats-Msg-Id: the stream drops a second message with the same id within its duplicate window. */
  msgId: string;
  traceparent?: string | undefined;
  /**
   * Called once the message's fate is known: undefined when JetStream stored it, else the error that
   * failed its batch (its own refusal, another message's, or the batch's timeout).
   */
  onAck?: ((error?: Error) => void) | undefined;
}

interface Batch {
  pending: number;
  ids: number[];
  timer: NodeJS.Timeout | undefined;
  resolve(): void;
  reject(error: Error): void;
}

interface Waiting {
  batch: Batch;
  message: JetStreamMessage;
}

export class JetStreamPublisher {
  private readonly inbox = createInbox();
  private readonly prefixLength = this.inbox.length + 1;
  private subscription: Subscription;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.subscription = this.subscribe();
  }

  /** Resolves when JetStream acknowledged every message (stored, or known as a duplicate); rejects at the first error or after the timeout. */
  publishAll(messages: readonly JetStreamMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('JetStream publisher closed'));
    return new Promise<void>((resolve, reject) => {
      const batch: Batch = { pending: messages.length, ids: [], timer: undefined, resolve, reject };
      for (const message of messages) {
        const id = ++this.nextId;
        batch.ids.push(id);
        this.waiting.set(id, { batch, message });
      }
      batch.timer = setTimeout(() => this.fail(batch, new Error(`JetStream acknowledged ${messages.length - batch.pending} of ${messages.length} results within ${this.timeoutMs} ms`)), this.timeoutMs);
      try {
        messages.forEach((message, i) => {
          const h = natsHeaders();
          h.set('Nats-Msg-Id', message.msgId);
          if (message.traceparent !== undefined) h.set(TRACEPARENT_HEADER, message.traceparent);
          this.nc.publish(message.subject, message.data, { reply: `${this.inbox}.${batch.ids[i]!}`, headers: h });
        });
      } catch (err) {
        // The connection closed or is draining: the caller's queue retries the batch.
        this.fail(batch, err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Unacknowledged batches fail (the caller's queue retries them); later ones are refused. */
  close(): void {
    this.closed = true;
    this.subscription.unsubscribe();
    this.failAll(new Error('JetStream publisher closed'));
  }

  private subscribe(): Subscription {
    return this.nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (err) {
          // The subscription itself failed (e.g. no permission on the inbox) and is closed: fail
          // what waits on it, with the reason, and listen again for the retries.
          this.failAll(new Error(`JetStream acknowledgements: ${err.message}`));
          if (!this.closed && !this.nc.isClosed()) this.subscription = this.subscribe();
          return;
        }
        this.onReply(msg);
      },
    });
  }

  private onReply(msg: Msg): void {
    const id = Number(msg.subject.slice(this.prefixLength));
    const w = this.waiting.get(id);
    if (!w) return; // its batch failed already (timeout) and is being retried
    this.waiting.delete(id);
    const problem = ackProblem(msg);
    if (problem !== undefined) {
      const error = new Error(`JetStream refused ${w.message.subject}: ${problem}`);
      w.message.onAck?.(error);
      this.fail(w.batch, error);
      return;
    }
    w.message.onAck?.();
    if (--w.batch.pending === 0) {
      clearTimeout(w.batch.timer);
      w.batch.resolve();
    }
  }

  private failAll(error: Error): void {
    for (const batch of new Set([...this.waiting.values()].map((w) => w.batch))) this.fail(batch, error);
  }

  private fail(batch: Batch, error: Error): void {
    clearTimeout(batch.timer);
    for (const id of batch.ids) {
      const w = this.waiting.get(id);
      if (!w) continue;
      this.waiting.delete(id);
      w.message.onAck?.(error);
    }
    batch.reject(error);
  }
}

const decoder = new TextDecoder();
/** In the error of a batch that went to a subject no stream listens on. */
export const NO_STREAM = 'no stream listens on the subject';

/** Why a reply is not a PubAck, or undefined when it is one. */
export function ackProblem(msg: Pick<Msg, 'data' | 'headers'>): string | undefined {
  const code = msg.headers?.code ?? 0;
  if (code >= 400 || (code !== 0 && msg.data.length === 0)) return code === 503 ? `${NO_STREAM} (503)` : `status ${code} ${msg.headers?.description ?? ''}`.trim();
  const text = decoder.decode(msg.data);
  if (text.startsWith('{"stream":"') && !text.includes('"error"')) return undefined; // the usual PubAck, without parsing it
  let ack: { stream?: unknown; error?: { code?: number; description?: string } };
  try {
    ack = JSON.parse(text) as typeof ack;
  } catch {
    return 'reply is not JSON';
  }
  if (ack.error) return `${ack.error.description ?? 'error'} (${ack.error.code ?? '?'})`;
  if (typeof ack.stream !== 'string' || ack.stream === '') return 'reply is not a PubAck';
  return undefined;
}
