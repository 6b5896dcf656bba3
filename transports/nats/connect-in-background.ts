// Connecting to NATS while a process runs without it. nats.js's `waitOnFirstConnect` retries inside
// connect() forever and hands back no connection to close until one succeeds, so a node that started
// while NATS was down, and was stopped before NATS came back, never exited. Here each attempt is one
// pass over the servers (which fails at once when they refuse), and the wait between attempts is a
// timer the caller's signal clears. Once connected, the client's own reconnect takes over.
import { connect } from 'nats';
import type { ConnectionOptions, NatsConnection } from 'nats';

export interface BackgroundConnectOptions {
  /** Stops the attempts; a connection that succeeds after it is closed at once. */
  signal: AbortSignal;
  /** Between attempts. */
  retryMs: number;
  /** Each failed attempt, e.g. to report why in the sink's status. */
  onAttemptFailed?: (error: Error) => void;
}

const ATTEMPT_TIMEOUT_MS = 2_000;

/** The connection, or `undefined` when the signal stopped the attempts first. */
export async function connectInBackground(options: ConnectionOptions, { signal, retryMs, onAttemptFailed }: BackgroundConnectOptions): Promise<NatsConnection | undefined> {
  while (!signal.aborted) {
    try {
      // A server that does not answer (rather than refuse) holds an attempt for `timeout`: keep it short.
      const nc = await connect({ timeout: ATTEMPT_TIMEOUT_MS, ...options, waitOnFirstConnect: false });
      if (!signal.aborted) return nc;
      await nc.close();
      return undefined;
    } catch (err) {
      onAttemptFailed?.(err as Error);
    }
    await abortableDelay(retryMs, signal);
  }
  return undefined;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
