// The gateway against real NATS (JetStream) and InfluxDB: replay + live without duplicates, trace
// ids, token auth, a slow client that loses updates while a fast one gets everything, and REST.
import { expect } from 'chai';
import { InfluxDB } from '@influxdata/influxdb-client';
import { connect } from 'nats';
import type { JetStreamClient, NatsConnection } from 'nats';
import { startGateway } from '../../gateway/gateway.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import type { ClientInfo } from '../../gateway/result-hub.ts';
import type { ClusterView, DeliveredResult, ServerMessage } from '../../gateway/protocol.ts';
import { resultToLine } from '../../transports/influx/points.ts';
import { NatsResultSink } from '../../transports/nats/nats-result-sink.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';
import { TestWsClient } from '../support/ws-client.ts';
import { heartbeat, patternResult, publishHeartbeat, publishResult, traceparentFor, windowResult } from './gateway-helpers.ts';

const baseConfig = { host: '127.0.0.1', port: 0, natsUrl: endpoints.natsServers, influxUrl: endpoints.influxUrl, influxBucket: endpoints.influxBucket, uiDir: '/nonexistent' };

/** Every result item a client received for `topic`, replay and live, in arrival order. */
function itemsFor(messages: unknown[], topic: string): DeliveredResult[] {
  return (messages as ServerMessage[]).flatMap((m) => ((m.type === 'batch' || m.type === 'replay') && m.topic === topic ? m.items : []));
}

describe('gateway (integration: NATS + InfluxDB)', function () {
  let nc: NatsConnection;
  let js: JetStreamClient;
  const gateways: Gateway[] = [];
  const clients: TestWsClient[] = [];

  async function gateway(extra: Partial<typeof baseConfig & { token: string; slowClientBytes: number; slowClientPending: number; heartbeatIntervalMs: number; batchMs: number; sourceTopic: string }> = {}): Promise<Gateway> {
    const g = await startGateway({ ...baseConfig, ...extra });
    gateways.push(g);
    return g;
  }
  async function client(g: Gateway, path = '/ws', headers: Record<string, string> = {}): Promise<TestWsClient> {
    const c = await TestWsClient.connect(`${g.url.replace('http', 'ws')}${path}`, headers);
    clients.push(c);
    return c;
  }

  before(async () => {
    nc = await connect({ servers: endpoints.natsServers });
    js = nc.jetstream();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const g of gateways.splice(0)) await g.close();
  });
  after(async () => {
    await nc.drain();
  });

  it('replays recent results on subscribe, then delivers live ones, each id exactly once, with trace ids', async () => {
    const g = await gateway({ batchMs: 5 });
    const analytic = uniqueName('pv');
    const topic = `window.${analytic}`;
    const t0 = Date.now() - 60_000;
    const first = Array.from({ length: 40 }, (_, i) => windowResult(analytic, i % 12, `/page/${i}`, t0, 5000, 0, { count: i + 1 }));
    const early = await client(g);
    early.send({ type: 'subscribe', topics: [topic] });
    await early.waitFor((m) => (m as ServerMessage[]).some((x) => x.type === 'replay'), 5000, 'empty replay');
    for (const [i, r] of first.entries()) await publishResult(js, r, traceparentFor(i).traceparent);
    await early.waitFor((m) => itemsFor(m, topic).length >= 40, 10_000, 'first 40 live');

    // A second stream runs while a late client subscribes: replay + live must cover it exactly once.
    const second = Array.from({ length: 200 }, (_, i) => windowResult(analytic, i % 12, `/late/${i}`, t0, 5000, 0, { count: 1 }));
    const publishing = (async () => {
      for (const r of second) {
        await publishResult(js, r);
        await new Promise((res) => setTimeout(res, 1));
      }
    })();
    await new Promise((res) => setTimeout(res, 60));
    const late = await client(g);
    const subscribedAt = performance.now();
    late.send({ type: 'subscribe', topics: [topic] });
    await publishing;
    const all = [...first, ...second].map((r) => r.id);
    await late.waitFor((m) => itemsFor(m, topic).length >= all.length, 10_000, 'replay + live = all');
    const liveMs = performance.now() - subscribedAt;
    await new Promise((res) => setTimeout(res, 300)); // anything extra would have arrived by now
    const got = itemsFor(late.messages, topic).map((r) => r.id);
    expect(got).to.have.length(all.length);
    expect(new Set(got)).to.deep.equal(new Set(all));
    const messages = late.messages as ServerMessage[];
    expect(messages[0]).to.include({ type: 'hello', jaegerUrl: 'http://127.0.0.1:16686' });
    const replay = messages.find((m) => m.type === 'replay')!;
    expect(replay.type === 'replay' && replay.items.length).to.be.greaterThan(39);
    // Batching: about one frame per gateway.batch-ms (5 ms here; measured ~4.5 ms apart, as timers round
    // to whole ms from the loop's cached clock, so the bound takes 3), whatever the rate the results
    // came at (one per 1-3 ms here, as the publisher's acks allow). A frame per result is ~2x the bound.
    expect(messages.filter((m) => m.type === 'batch').length).to.be.at.most(Math.ceil(liveMs / 3) + 2);
    const traced = itemsFor(early.messages, topic).find((r) => r.id === first[5]!.id)!;
    expect(traced.traceId).to.equal(traceparentFor(5).traceId);
  });

  it('sends pattern results to pattern.<name>, alerts and results topics', async () => {
    const g = await gateway();
    const pattern = uniqueName('burst');
    const c = await client(g);
    c.send({ type: 'subscribe', topics: [`pattern.${pattern}`, 'alerts'] });
    const r = patternResult(pattern, 3, 'user-1', 100, Date.now());
    await new Promise((res) => setTimeout(res, 100));
    await publishResult(js, r, traceparentFor(77).traceparent);
    await c.waitFor((m) => itemsFor(m, 'alerts').some((x) => x.id === r.id) && itemsFor(m, `pattern.${pattern}`).length === 1, 5000, 'alert');
    expect(itemsFor(c.messages, 'alerts').find((x) => x.id === r.id)!.traceId).to.equal(traceparentFor(77).traceId);
  });

  it('fans out every final result of a window that a node published as one message, each with the trace id', async () => {
    const g = await gateway();
    const analytic = uniqueName('firing');
    const topic = `window.${analytic}`;
    const c = await client(g);
    c.send({ type: 'subscribe', topics: [topic] });
    await new Promise((res) => setTimeout(res, 100));
    const sink = new NatsResultSink({ servers: endpoints.natsServers, duplicateWindowMs: 120_000, highWater: 10_000 });
    const t0 = Date.now() - 60_000;
    const { traceparent, traceId } = traceparentFor(55);
    try {
      for (let k = 0; k < 55; k++) sink.offer(windowResult(analytic, 4, `/page-${k}`, t0, 5000, 0, { count: k + 1 }), traceparent);
      await sink.flush();
    } finally {
      await sink.close();
    }
    await c.waitFor((m) => itemsFor(m, topic).length >= 55, 5000, '55 results');
    const items = itemsFor(c.messages, topic);
    expect(items.map((r) => r.key)).to.deep.equal(Array.from({ length: 55 }, (_, k) => `/page-${k}`));
    expect(new Set(items.map((r) => r.traceId))).to.deep.equal(new Set([traceId]));
  });

  it('rejects WebSocket upgrades and REST calls without the token, but not /api/health', async () => {
    const g = await gateway({ token: 's3cret' });
    const wsUrl = g.url.replace('http', 'ws');
    await TestWsClient.connect(`${wsUrl}/ws`).then(
      () => expect.fail('upgrade without token must fail'),
      (err: Error) => expect(err.message).to.match(/401/),
    );
    await TestWsClient.connect(`${wsUrl}/ws?token=wrong`).then(
      () => expect.fail('upgrade with a wrong token must fail'),
      (err: Error) => expect(err.message).to.match(/401/),
    );
    const byQuery = await client(g, '/ws?token=s3cret');
    await byQuery.waitFor((m) => m.length > 0, 3000, 'hello');
    const byHeader = await client(g, '/ws', { Authorization: 'Bearer s3cret' });
    await byHeader.waitFor((m) => m.length > 0, 3000, 'hello');
    expect((await fetch(`${g.url}/api/cluster`)).status).to.equal(401);
    expect((await fetch(`${g.url}/metrics`)).status).to.equal(401);
    expect((await fetch(`${g.url}/api/cluster`, { headers: { Authorization: 'Bearer s3cret' } })).status).to.equal(200);
    expect((await fetch(`${g.url}/api/history?analytic=x&token=s3cret`)).status).to.equal(200);
    expect((await fetch(`${g.url}/api/health`)).status).to.equal(200);
  });

  it('conflates/drops for a slow client, counted, while a fast client gets everything', async function () {
    this.timeout(60_000);
    const g = await gateway({ slowClientBytes: 64 * 1024, slowClientPending: 300 });
    const analytic = uniqueName('slow');
    const topic = `window.${analytic}`;
    const fast = await client(g);
    const slow = await client(g);
    for (const c of [fast, slow]) c.send({ type: 'subscribe', topics: [topic] });
    await fast.waitFor((m) => itemsFor(m, topic).length === 0 && m.length >= 2, 3000, 'subscribed');
    await slow.waitFor((m) => m.length >= 2, 3000, 'subscribed');
    slow.pause();
    const pad = 'x'.repeat(8000); // big results fill the slow client's socket buffers quickly
    const t0 = Date.now() - 60_000;
    const n = 2500;
    for (let i = 0; i < n; i++) await publishResult(js, windowResult(analytic, i % 12, `${pad}${i}`, t0, 5000, 0, { count: 1 }));
    await fast.waitFor((m) => itemsFor(m, topic).length >= n, 30_000, 'all results on the fast client');
    expect(new Set(itemsFor(fast.messages, topic).map((r) => r.id)).size).to.equal(n);

    const info = await eventually(
      async () => {
        const list = (await (await fetch(`${g.url}/api/clients`)).json()) as ClientInfo[];
        const s = list.find((c) => c.slowEpisodes > 0 && c.dropped > 0);
        return s;
      },
      10_000,
      'a slow client with drops',
    );
    expect(info.dropped).to.be.greaterThan(0);
    const metrics = await (await fetch(`${g.url}/metrics`)).text();
    expect(Number(/rtap_gateway_results_dropped_total (\d+)/.exec(metrics)![1])).to.be.greaterThan(0);

    slow.resume();
    await slow.waitFor((m) => (m as ServerMessage[]).some((x) => x.type === 'lagged'), 20_000, 'a lagged notice after catching up');
    const received = itemsFor(slow.messages, topic).length;
    expect(received).to.be.lessThan(n);
    expect(received).to.be.greaterThan(0);
  });

  it('serves /api/health, /api/cluster (gone after 3 missed heartbeats) and /metrics', async () => {
    // Its own pipeline (input topic): the heartbeats below count in this gateway's cluster only, not
    // in that of a gateway a developer runs on the same NATS.
    const topic = uniqueName('hb.events');
    const g = await gateway({ heartbeatIntervalMs: 200, sourceTopic: topic });
    const a = uniqueName('node-a');
    const b = uniqueName('node-b');
    const health = await fetch(`${g.url}/api/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.include({ status: 'ok' });

    const c = await client(g);
    c.send({ type: 'subscribe', topics: ['cluster'] });
    // Partition numbers no real node uses: other nodes may be heartbeating on this NATS too.
    const beat = setInterval(() => publishHeartbeat(nc, heartbeat(a, [900, 901, 902, 903, 904, 905], { topic })), 100);
    try {
      publishHeartbeat(nc, heartbeat(b, [906, 907, 908, 909, 910, 911], { topic }));
      publishHeartbeat(nc, heartbeat(uniqueName('other-pipeline'), [912], { topic: uniqueName('other.events') }));
      const view = await eventually(
        async () => {
          const v = (await (await fetch(`${g.url}/api/cluster`)).json()) as ClusterView;
          return v.nodes.some((n) => n.nodeId === b && n.state === 'gone') && v.nodes.some((n) => n.nodeId === a && n.state === 'up') ? v : undefined;
        },
        5000,
        'node b gone, node a up',
      );
      const p7 = view.partitions.find((p) => p.partition === 907)!;
      expect(p7.owner).to.equal(null); // its owner is gone
      expect(p7.restarts).to.equal(1);
      expect(view.partitions.find((p) => p.partition === 902)!.owner).to.equal(a);
      await c.waitFor((m) => (m as ServerMessage[]).some((x) => x.type === 'cluster' && x.view.nodes.some((n) => n.nodeId === a)), 3000, 'cluster over ws');
    } finally {
      clearInterval(beat);
    }
    const metrics = await (await fetch(`${g.url}/metrics`)).text();
    for (const name of ['rtap_gateway_clients 1', 'rtap_gateway_nats_heartbeats_in_total', 'rtap_gateway_results_dropped_total', 'rtap_gateway_event_loop_lag_seconds', 'rtap_gateway_frames_sent_total']) {
      expect(metrics).to.contain(name);
    }
    // The cluster gauges the alert rules read: this pipeline's nodes only.
    const gauge = (series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(gauge('rtap_gateway_cluster_nodes{state="gone"}')).to.equal(1);
    expect(gauge('rtap_gateway_cluster_nodes{state="up"}')).to.equal(1);
    expect(gauge('rtap_gateway_cluster_partitions_unowned')).to.equal(6); // b's 906-911
    const view = (await (await fetch(`${g.url}/api/cluster`)).json()) as ClusterView;
    expect(view.partitions.some((p) => p.partition === 912), 'a node of another pipeline').to.equal(false);
  });

  it('serves /api/history from InfluxDB, summed across partitions', async () => {
    const g = await gateway();
    const analytic = uniqueName('hist');
    const t = Math.floor((Date.now() - 120_000) / 5000) * 5000;
    const lines = [
      windowResult(analytic, 0, '/home', t, 5000, 0, { count: 3 }),
      windowResult(analytic, 1, '/home', t, 5000, 0, { count: 4 }),
      windowResult(analytic, 1, '/home', t, 5000, 1, { count: 5 }), // a late firing replaces partition 1's point
      windowResult(analytic, 2, '/cart', t + 5000, 5000, 0, { count: 2 }),
    ].map((r) => resultToLine(r, 'events'));
    // Another pipeline (another input topic) must not leak into a source-filtered query.
    lines.push(resultToLine(windowResult(analytic, 0, '/home', t, 5000, 0, { count: 100 }), 'other-topic'));
    const write = new InfluxDB({ url: endpoints.influxUrl, token: '' }).getWriteApi('', endpoints.influxBucket, 'ns');
    write.writeRecords(lines);
    await write.close();
    const body = await eventually(
      async () => {
        const r = (await (await fetch(`${g.url}/api/history?analytic=${analytic}&minutes=15&source=events`)).json()) as { points: { time: number; key: string; field: string; value: number }[] };
        return r.points.length >= 2 ? r : undefined;
      },
      10_000,
      'history points',
    );
    expect(body.points).to.deep.include({ time: t, key: '/home', field: 'count', value: 8 });
    expect(body.points).to.deep.include({ time: t + 5000, key: '/cart', field: 'count', value: 2 });
    // Without `source`: the gateway's own pipeline (kafka.topic, default "events"), never the others.
    const own = (await (await fetch(`${g.url}/api/history?analytic=${analytic}&minutes=15`)).json()) as { source: string; points: { time: number; key: string; value: number }[] };
    expect(own.source).to.equal('events');
    expect(own.points.find((p) => p.time === t && p.key === '/home')!.value).to.equal(8);
    const other = (await (await fetch(`${g.url}/api/history?analytic=${analytic}&minutes=15&source=other-topic`)).json()) as { points: { time: number; key: string; value: number }[] };
    expect(other.points).to.deep.equal([{ time: t, key: '/home', field: 'count', value: 100 }]);
    expect((await fetch(`${g.url}/api/history?analytic=bad%20name`)).status).to.equal(400);
  });
});
