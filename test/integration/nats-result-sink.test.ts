import { expect } from 'chai';
import type { Socket } from 'node:net';
import { connect, type NatsConnection } from 'nats';
import { MAX_RESULTS_PER_MESSAGE, NatsResultSink } from '../../transports/nats/nats-result-sink.ts';
import { windowResult as buildWindowResult } from '../../actors/windows/result-id.ts';
import { RESULTS_STREAM, updateSubject, updatesLines } from '../../transports/nats/contracts.ts';
import type { WindowResult } from '../../actors/results.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';
import { patternResult, windowResult } from '../support/results.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

async function storedCount(nc: NatsConnection, subject: string): Promise<number> {
  const info = await (await nc.jetstreamManager()).streams.info(RESULTS_STREAM, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

describe('NatsResultSink (real NATS JetStream)', () => {
  let nc: NatsConnection;
  before(async () => {
    nc = await connect({ servers: endpoints.natsServers });
  });
  after(async () => {
    await nc.close();
  });

  it('publishes each result once, even when it is offered twice (replay after a crash)', async () => {
    const analytic = uniqueName('itest').replace(/-/g, '_');
    const sink = new NatsResultSink({ servers: endpoints.natsServers, duplicateWindowMs: 120_000, highWater: 10_000 });
    try {
      for (let i = 0; i < 300; i++) sink.offer(windowResult(analytic, i));
      for (let i = 0; i < 300; i++) sink.offer(windowResult(analytic, i)); // the replay
      await sink.flush();
      expect(await storedCount(nc, `rtap.results.window.${analytic}`)).to.equal(300);
      expect(sink.status()).to.include({ healthy: true, buffered: 0, delivered: 600 });
    } finally {
      await sink.close();
    }
  });

  it('publishes the final results of one window as one message, once, also when replayed; large windows in chunks; late firings one by one', async () => {
    const analytic = uniqueName('itest').replace(/-/g, '_');
    const subject = `rtap.results.window.${analytic}`;
    const sink = new NatsResultSink({ servers: endpoints.natsServers, duplicateWindowMs: 120_000, highWater: 10_000 });
    const firing = (keys: number, partition: number, trigger: 'final' | 'late' = 'final'): WindowResult[] =>
      Array.from({ length: keys }, (_, k) => buildWindowResult(analytic, partition, `/page-${k}`, 1_700_000_000_000, 1_700_000_005_000, trigger === 'final' ? 0 : 1, trigger, { count: k + 1 }));
    try {
      for (const r of firing(55, 0)) sink.offer(r); // one turn: one firing of partition 0
      for (const r of firing(MAX_RESULTS_PER_MESSAGE + 5, 1)) sink.offer(r); // a firing larger than one message
      await sink.flush();
      for (const r of firing(55, 0)) sink.offer(r); // the replay after a crash
      await sink.flush();
      expect(await storedCount(nc, subject), '1 message for partition 0, 2 chunks for partition 1').to.equal(3);
      expect(sink.status()).to.include({ buffered: 0, delivered: 55 + MAX_RESULTS_PER_MESSAGE + 5 + 55 });
      const lastFinal = await (await nc.jetstreamManager()).streams.getMessage(RESULTS_STREAM, { last_by_subj: subject });
      for (const r of firing(3, 2, 'late')) sink.offer(r); // late corrections are per key and per event: one message each
      await sink.flush();
      expect(await storedCount(nc, subject)).to.equal(3 + 3);
      const last = lastFinal;
      const chunk = JSON.parse(new TextDecoder().decode(last.data)) as WindowResult[];
      expect(chunk.map((r) => r.key)).to.deep.equal(Array.from({ length: 5 }, (_, k) => `/page-${MAX_RESULTS_PER_MESSAGE + k}`));
      expect(last.header.get('Nats-Msg-Id')).to.equal(`${chunk[0]!.id}|n5`);
    } finally {
      await sink.close();
    }
  });

  it('sends updates on core NATS, batched per analytic, and never into the stream', async () => {
    const analytic = uniqueName('itest').replace(/-/g, '_');
    const got: unknown[][] = [];
    const sub = nc.subscribe(updateSubject(analytic), { callback: (_err, msg) => got.push(updatesLines(new TextDecoder().decode(msg.data)).map((line) => JSON.parse(line) as unknown)) });
    await nc.flush();
    const sink = new NatsResultSink({ servers: endpoints.natsServers, duplicateWindowMs: 120_000, highWater: 10_000 });
    try {
      await eventually(async () => (sink.status().healthy ? true : undefined), 10_000, 'the sink to connect');
      const update = (i: number): WindowResult => ({ ...windowResult(analytic, i), trigger: 'update', id: `${windowResult(analytic, i).id}|update` });
      for (let i = 0; i < 50; i++) expect(sink.offer(update(i))).to.equal(true);
      await eventually(async () => (got.flat().length >= 50 ? true : undefined), 10_000, '50 updates');
      expect(got, 'one message for the 50 updates offered in one turn').to.have.length(1);
      expect((got[0]![0] as WindowResult).trigger).to.equal('update');
      await sink.flush();
      expect(await storedCount(nc, `rtap.results.window.${analytic}`)).to.equal(0);
      expect(sink.updatesPublished).to.equal(50);
    } finally {
      sub.unsubscribe();
      await sink.close();
    }
  });

  it('sends what one turn offered (updates, a closed window, an alert) to the server in one socket write', async () => {
    const analytic = uniqueName('itest').replace(/-/g, '_');
    const updates: unknown[] = [];
    const sub = nc.subscribe(updateSubject(analytic), { callback: (_err, msg) => updates.push(...updatesLines(new TextDecoder().decode(msg.data))) });
    await nc.flush();
    const sink = new NatsResultSink({ servers: endpoints.natsServers, duplicateWindowMs: 120_000, highWater: 10_000 });
    let socket: Socket | undefined;
    try {
      sink.offer(windowResult(analytic, 100)); // connects and creates the stream first
      await sink.flush();
      // Counts the writes where nats.js makes them, on the sink's own socket (nats.js internals,
      // read-only): a reader in this process would see them merged, as it reads after the turn.
      socket = (sink as unknown as { nc: { protocol: { transport: { socket: Socket } } } }).nc.protocol.transport.socket;
      const write = socket.write.bind(socket);
      let writes = 0;
      socket.write = ((...args: Parameters<Socket['write']>) => (writes++, write(...args))) as Socket['write'];
      for (let i = 0; i < 3; i++) sink.offer({ ...windowResult(analytic, i), trigger: 'update', id: `${windowResult(analytic, i).id}|update` });
      for (let k = 0; k < 2; k++) sink.offer(buildWindowResult(analytic, 0, `/page-${k}`, 1_700_000_000_000, 1_700_000_005_000, 0, 'final', { count: k + 1 }));
      sink.offer(patternResult(`${analytic}_funnel`, 0));
      await eventually(async () => (updates.length >= 3 ? true : undefined), 10_000, '3 updates');
      await sink.flush();
      expect(writes, 'socket writes for one turn').to.equal(1);
      expect(await storedCount(nc, `rtap.results.window.${analytic}`), 'the earlier result and the closed window').to.equal(2);
      expect(await storedCount(nc, `rtap.results.pattern.${analytic}_funnel`)).to.equal(1);
    } finally {
      if (socket) delete (socket as Partial<Pick<Socket, 'write'>>).write; // back to the prototype's
      sub.unsubscribe();
      await sink.close();
    }
  });

  it('buffers while NATS is unreachable, reports it, and delivers everything once it is back', async () => {
    const analytic = uniqueName('itest').replace(/-/g, '_');
    const proxy = new TcpProxy(4222);
    await proxy.up();
    const sink = new NatsResultSink({ servers: `nats://127.0.0.1:${proxy.port}`, duplicateWindowMs: 120_000, highWater: 50 });
    try {
      sink.offer(windowResult(analytic, 0));
      await sink.flush();
      await proxy.down();

      let accepting = true;
      for (let i = 1; i < 100; i++) accepting = sink.offer(windowResult(analytic, i));
      expect(accepting, 'offer asks the caller to pause above the high-water mark').to.equal(false);
      const degraded = await eventually(async () => (sink.status().healthy ? undefined : sink.status()), 15_000, 'a degraded status');
      expect(degraded.reason).to.match(/^nats: /);
      expect(degraded.buffered).to.equal(99);

      await proxy.up();
      await sink.flush();
      expect(await storedCount(nc, `rtap.results.window.${analytic}`)).to.equal(100);
      await eventually(async () => (sink.status().healthy ? true : undefined), 10_000, 'a healthy status again');
    } finally {
      await sink.close();
      await proxy.down();
    }
  });

  it('closes at once while NATS is unreachable: the connection stops reconnecting instead of holding the process', async () => {
    const proxy = new TcpProxy(4222);
    await proxy.up();
    const sink = new NatsResultSink({ servers: `nats://127.0.0.1:${proxy.port}`, duplicateWindowMs: 120_000, highWater: 50 });
    try {
      sink.offer(windowResult(uniqueName('itest').replace(/-/g, '_'), 0));
      await sink.flush();
      await proxy.down();
      await eventually(async () => (sink.status().healthy ? undefined : true), 15_000, 'a degraded status');
      const closingAt = Date.now();
      await sink.close();
      expect(Date.now() - closingAt).to.be.below(3_000); // drainOrClose's 2 s grace, then close
      // NATS back: a connection still reconnecting (every 500 ms) would come to it.
      const accepted = proxy.accepted;
      await proxy.up();
      await new Promise((r) => setTimeout(r, 1_500));
      expect(proxy.accepted).to.equal(accepted);
    } finally {
      await proxy.down();
    }
  });
  it('stops trying to connect when closed before NATS was ever reachable: its flush fails and nothing holds the process', async () => {
    const proxy = new TcpProxy(4222);
    await proxy.up();
    await proxy.down(); // a port that refuses: NATS down since before the node started
    const sink = new NatsResultSink({ servers: `nats://127.0.0.1:${proxy.port}`, duplicateWindowMs: 120_000, highWater: 50 });
    try {
      sink.offer(windowResult(uniqueName('itest').replace(/-/g, '_'), 0));
      const flushed = sink.flush().then(() => 'delivered', (err: Error) => err.message);
      await eventually(async () => (sink.status().reason?.includes('CONNECTION_REFUSED') ? true : undefined), 5_000, 'the refusal in its status');
      const closingAt = Date.now();
      await sink.close();
      expect(Date.now() - closingAt).to.be.below(500);
      expect(await flushed).to.equal('closed before delivery (1 buffered)');
      // NATS comes up: a sink still trying (every 500 ms) would connect to it.
      await proxy.up();
      await new Promise((r) => setTimeout(r, 1_500));
      expect(proxy.accepted).to.equal(0);
    } finally {
      await proxy.down();
    }
  });
});

