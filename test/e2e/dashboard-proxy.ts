// A TCP forwarder with a stable port in front of a gateway that the dashboard test restarts on a
// new port: the restarted gateway cannot re-bind its old port while the previous connections sit
// in TIME_WAIT (this uWS build does not set SO_REUSEADDR). `retarget` cuts every connection, like
// a gateway going away; until a target is set again, connections are refused.
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

export interface Forwarder {
  port: number;
  retarget(port: number | null): void;
  close(): Promise<void>;
}

export async function startForwarder(targetPort: number): Promise<Forwarder> {
  let target: number | null = targetPort;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (target === null) return client.destroy();
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    retarget(port) {
      target = port;
      for (const s of open) s.destroy();
    },
    close: () => {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
