// Calls into a worker thread that answer with a promise: each call carries an id, the thread
// replies with the same id and the value or the error message. Messages without an id are posted
// one way (no reply). Both sides are here: `WorkerCalls` in the caller, `answerCalls` in the thread.
// The thread keeps the process alive until close(), so that a pending call is always answered.
import type { MessagePort, Worker } from 'node:worker_threads';

export type CallReply = { id: number; value: unknown } | { id: number; error: string };

export class WorkerCalls<Message extends object> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private failed: Error | undefined;
  private closing: Promise<void> | undefined;

  /** `what`: names the thread in errors ("process sampler: …"). */
  constructor(
    private readonly worker: Worker,
    private readonly what: string,
  ) {
    worker.on('message', (reply: CallReply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) p?.reject(new Error(`${what}: ${reply.error}`));
      else p?.resolve(reply.value);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => this.fail(new Error(`${what}: its thread ended`)));
  }

  /** The thread's answer to `message`, in the order of the calls. */
  call<T>(message: Message): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  /** One way, no answer (`transfer`: buffers handed over, not copied). */
  post(message: Message, transfer: ArrayBuffer[] = []): void {
    if (!this.failed) this.worker.postMessage(message, transfer);
  }

  /** Ends the thread; again is a no-op. */
  close(): Promise<void> {
    this.closing ??= this.worker.terminate().then(() => this.fail(new Error(`${this.what}: its thread ended`)));
    return this.closing;
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(this.failed);
    this.pending.clear();
  }
}

/** In the thread: answers each message that has an id with `handle`'s value (or its error); the others it only handles. */
export function answerCalls<Message extends object>(port: MessagePort, handle: (message: Message) => unknown): void {
  port.on('message', (message: Message & { id?: number }) => {
    if (message.id === undefined) {
      handle(message);
      return;
    }
    let reply: CallReply;
    try {
      reply = { id: message.id, value: handle(message) };
    } catch (err) {
      reply = { id: message.id, error: (err as Error).message };
    }
    port.postMessage(reply);
  });
}
