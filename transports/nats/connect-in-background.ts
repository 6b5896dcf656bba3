// Connecting to NATS while a process runs without it. nats.js's `waitOnFirstConnect` retries inside
// connect() forever and hands back no connection to close until one succeeds, so a node that started
// while NATS was down, and was stopped before NATS came back, never exited. Here each attempt is one
// pass over the servers (which fails at once when they refuse), and the wait between attempts ends
// with the caller's signal. Once connected, the client's own reconnect takes over.
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import type { ConnectionOptions, NatsConnection } from 'nats';

export interface BackgroundConnectOptions {
  /** Stops the attempts; a connection that succeeds after it is closed at once. */
  signal: AbortSignal;
  /** Between attempts. */
  retryMs: number;
  /**
   * The connection, handed over in the same turn as the signal is checked, so a stop can never
   * fall between the two and leave it reconnecting.
   */
  onConnected: (nc: NatsConnection) => void;
  /** Each failed attempt, e.g. to report why in the sink's status. */
  onAttemptFailed?: (error: Error) => void;
}

const ATTEMPT_TIMEOUT_MS = 2_000;

/** Resolves once connected (after `onConnected`) or stopped by the signal. */
export async function connectInBackground(options: ConnectionOptions, { signal, retryMs, onConnected, onAttemptFailed }: BackgroundConnectOptions): Promise<void> {
  while (!signal.aborted) {
    try {
      // A server that does not answer (rather than refuse) holds an attempt for `timeout`: keep it short.
      const nc = await connect({ timeout: ATTEMPT_TIMEOUT_MS, ...options, waitOnFirstConnect: false });
      if (signal.aborted) await nc.close();
      else onConnected(nc);
      return;
    } catch (err) {
      onAttemptFailed?.(err as Error);
    }
    await sleep(retryMs, undefined, { signal }).catch(() => undefined); // an abort ends the wait
  }
}
