// The clients that measure latency run on a thread of their own (frame-receiver.worker.ts), which
// stamps every frame as it arrives. On the main thread a frame would wait, before its arrival was
// read off the clock, for whatever the load-test process was doing — scheduling and sending the
// load, parsing earlier frames, reading other clients' sockets — and at nice 10 for a core too: in
// `10k` runs the gateway-to-probe hop measured p99 29–39 ms that way, and 5 ms from a client in a
// process of its own. A dashboard's client, on a host of its own, reads its socket as the bytes
// come; this thread stands for it. One thread holds one connection (the latency probe) or several
// (`fanout`'s measuring clients), all subscribed to the same topics. The stamped frames leave on
// `frames`, a message port for the thread that measures them (ProbeThread), not for this one.
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { startTsWorker } from './ts-worker.ts';

export type ReceiverEvent = { type: 'ready'; threadId: number | undefined } | { type: 'failed'; message: string } | { type: 'closed' };

/** What arrives on `FrameReceiver.frames`: a frame's text and arrival time (the `now()` clock). */
export interface StampedFrame {
  at: number;
  text: string;
}

export type ReceiverCommand = { type: 'subscribe'; topics: string[] };

export class FrameReceiver {
  /** Connections that closed (the thread ending closes them all). */
  closedConnections = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    /** The receiving thread's kernel id (Linux), to keep it at normal priority; see process-priority.ts. */
    readonly threadId: number | undefined,
    readonly connections: number,
    /** Each frame as a StampedFrame, in arrival order over its connections; hand it to the measuring thread. */
    readonly frames: MessagePort,
  ) {
    worker.on('message', (event: ReceiverEvent) => {
      if (event.type === 'closed') this.closedConnections++;
    });
    worker.on('exit', () => (this.closedConnections = connections));
  }

  /** Whether any of its connections closed. */
  get closed(): boolean {
    return this.closedConnections > 0;
  }

  /** Opens `connections` to the gateway's WebSocket endpoint `url`; subscribes nothing until `subscribe`. */
  static start(url: string, connections = 1): Promise<FrameReceiver> {
    const channel = new MessageChannel();
    const worker = startTsWorker(new URL('./frame-receiver.worker.ts', import.meta.url), { url, connections, frames: channel.port1 }, [channel.port1]);
    return new Promise((resolve, reject) => {
      const first = (event: ReceiverEvent): void => {
        worker.off('message', first);
        if (event.type === 'ready') resolve(new FrameReceiver(worker, event.threadId, connections, channel.port2));
        else {
          void worker.terminate();
          reject(new Error(`loadtest: a measuring client cannot connect to ${url}: ${event.type === 'failed' ? event.message : event.type}`));
        }
      };
      worker.on('message', first);
      worker.once('error', reject);
    });
  }

  subscribe(topics: string[]): void {
    this.worker.postMessage({ type: 'subscribe', topics } satisfies ReceiverCommand);
  }

  /** Ends the thread, which closes its connections; again is a no-op. */
  close(): Promise<void> {
    this.closing ??= this.worker.terminate().then(() => undefined);
    return this.closing;
  }
}
