// Ending a NATS connection at shutdown. drain() delivers what the client still buffers, but on a
// connection that lost its server it waits for a reconnect that may never come, and a connection
// left reconnecting keeps its process alive (a node whose NATS was down got killed 30 s into
// `make cluster-down`): drain for a bounded time, then close.
import type { NatsConnection } from 'nats';
import { settledWithin } from '../settled-within.ts';

export async function drainOrClose(nc: NatsConnection, graceMs = 2_000): Promise<void> {
  if (!nc.isClosed()) await settledWithin(nc.drain(), graceMs);
  if (!nc.isClosed()) await nc.close().catch(() => undefined);
}
