// The whole pipeline on the real servers: a known stream into Kafka, and exactly the oracle's
// results out — at a WebSocket client of the gateway and in InfluxDB — with bad records in the
// dead-letter topic, also when a node is killed with SIGKILL mid-run.
import { expect } from 'chai';
import { EventProducer } from '../../loadtest/event-producer.ts';
import { TestCluster, freePort } from '../support/cluster.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { buildScenario, type Scenario } from '../support/scenario.ts';
import { eventually } from '../support/endpoints.ts';
import { ResultCollector, expectExactlyTheOracle, expectInfluxHoldsTheOracle, readDeadLetters } from './pipeline-support.ts';

async function produce(cluster: TestCluster, scenario: Scenario, from = 0, to = scenario.items.length): Promise<void> {
  const producer = new EventProducer(cluster.brokers, cluster.topic);
  await producer.connect();
  try {
    await producer.send(scenario.items.slice(from, to));
  } finally {
    await producer.close();
  }
}

/** Fresh topics, a gateway, the nodes (two by default), and a WebSocket client subscribed to every result. */
async function startPipeline(scenario: Scenario, env: Record<string, string> = {}, nodes = ['node-1', 'node-2']): Promise<{ cluster: TestCluster; results: ResultCollector }> {
  const cluster = new TestCluster(env);
  await cluster.createTopics();
  const url = await cluster.startGateway();
  await Promise.all(nodes.map((id) => cluster.startNode(id)));
  return { cluster, results: await ResultCollector.connect(url, scenario) };
}

describe('pipeline end to end (real Kafka, NATS, InfluxDB; rtap nodes and gateway as processes)', function () {
  this.timeout(240_000);
  let cluster: TestCluster | undefined;
  let results: ResultCollector | undefined;

  afterEach(async () => {
    results?.close();
    await cluster?.dispose();
  });

  it('delivers exactly the oracle\'s results to a WebSocket client and to InfluxDB', async () => {
    const scenario = buildScenario({ seed: 101, count: 15_000, users: 1_500, badRatio: 0 });
    ({ cluster, results } = await startPipeline(scenario));
    await produce(cluster, scenario);

    await results.waitFor(scenario.results.length, 120_000);
    expectExactlyTheOracle(results, scenario.results, cluster.logDir);
    await expectInfluxHoldsTheOracle(cluster, scenario);
  });

  // Nodes of one host share a snapshot directory; nodes on different hosts use NATS Object Store.
  const backends: [string, Record<string, string>][] = [
    ['a shared snapshot directory', {}],
    ['snapshots in NATS JetStream Object Store', { RTAP_SNAPSHOT_BACKEND: 'nats' }],
  ];
  for (const [backend, env] of backends) {
    it(`still delivers exactly the oracle's results when a node is killed with SIGKILL and another spawned (${backend})`, async () => {
      const scenario = buildScenario({ seed: 202, count: 20_000, users: 1_500, badRatio: 0 });
      const bucket: Record<string, string> = env.RTAP_SNAPSHOT_BACKEND ? { RTAP_SNAPSHOT_BUCKET: `snapshots-${Date.now().toString(36)}` } : {};
      ({ cluster, results } = await startPipeline(scenario, { ...env, ...bucket }));

      const half = Math.floor(scenario.items.length / 2);
      await produce(cluster, scenario, 0, half);
      // The first half is processed and checkpointed (every second here); then, while the second
      // half streams in, a node dies without warning and a new one joins.
      await results.waitForQuiet(2_000, 90_000);
      const rest = produce(cluster, scenario, half);
      await new Promise((r) => setTimeout(r, 300));
      await cluster.kill('node-1');
      await cluster.startNode('node-3');
      await rest;

      await results.waitFor(scenario.results.length, 150_000);
      expectExactlyTheOracle(results, scenario.results, cluster.logDir);
      await expectInfluxHoldsTheOracle(cluster, scenario);
    });
  }

  it('routes bad records to the dead-letter topic with their reasons and keeps the good results exact', async () => {
    const scenario = buildScenario({ seed: 303, count: 15_000, users: 1_500, badRatio: 0.01 });
    expect(scenario.letters.length).to.be.greaterThan(50);
    ({ cluster, results } = await startPipeline(scenario));
    await produce(cluster, scenario);

    await results.waitFor(scenario.results.length, 120_000);
    expectExactlyTheOracle(results, scenario.results, cluster.logDir);
    await expectInfluxHoldsTheOracle(cluster, scenario);

    const letters = await readDeadLetters(cluster, scenario.letters.length);
    const want = new Map(scenario.letters.map((l) => [`${l.partition}/${l.offset}`, l]));
    expect([...letters.keys()].sort()).to.deep.equal([...want.keys()].sort());
    for (const [k, got] of letters) {
      expect(got, `letter ${k} written once`).to.have.length(1);
      expect(got[0]!.reason, `reason of ${k}`).to.equal(want.get(k)!.reason);
    }
  });

  it('stops a node that never reached NATS in bounded time, committing no offset past undelivered results: the next node delivers exactly the oracle\'s results', async () => {
    const scenario = buildScenario({ seed: 404, count: 5_000, users: 500, badRatio: 0 });
    ({ cluster, results } = await startPipeline(scenario, {}, []));
    const natsDown = new TcpProxy(4222);
    await natsDown.up();
    await natsDown.down(); // refuses: NATS unreachable from node-1 since before it started
    const metricsPort = await freePort();
    // A small buffer, so the partitions also block on backpressure (the case that kept a node alive).
    await cluster.startNode('node-1', { RTAP_NATS_SERVERS: `nats://127.0.0.1:${natsDown.port}`, RTAP_RESULTS_HIGH_WATER: '100', RTAP_METRICS_PORT: String(metricsPort) });
    await produce(cluster, scenario);
    await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const buffered = Number(/rtap_node_sink_buffered\{[^}]*sink="nats"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
      return buffered >= 100 ? true : undefined;
    }, 60_000, 'node-1 holding results for NATS above its high-water mark');

    const stoppingAt = Date.now();
    expect(await cluster.stop('node-1')).to.equal(0);
    const stopS = (Date.now() - stoppingAt) / 1000;
    const log = cluster.logOf('node-1').join('\n');
    expect(stopS, log.slice(-3000)).to.be.below(30); // ~17 s: before `make cluster-down` would KILL it at 30 s
    expect(log).to.contain('"msg":"node stopped"').and.contain('stopping with results not delivered');

    await cluster.startNode('node-2');
    await results.waitFor(scenario.results.length, 120_000);
    expectExactlyTheOracle(results, scenario.results, cluster.logDir);
  });

  it('exits 1 at start-up, naming the key, when its snapshots live in NATS and NATS is unreachable', async () => {
    cluster = new TestCluster({ RTAP_SNAPSHOT_BACKEND: 'nats', RTAP_NATS_SERVERS: 'nats://127.0.0.1:1' });
    await cluster.createTopics();
    const failed = await cluster.startNode('node-1').then(() => undefined, (err: Error) => err.message);
    expect(failed).to.contain('node-1 exited').and.contain('nats.servers').and.contain('snapshot.backend=nats');
    expect(await cluster.stop('node-1')).to.equal(1);
  });
});
