// The whole pipeline on the real servers: a known stream into Kafka, and exactly the oracle's
// results out — at a WebSocket client of the gateway and in InfluxDB — with bad records in the
// dead-letter topic, also when a node is killed with SIGKILL mid-run.
import { expect } from 'chai';
import { EventProducer } from '../../loadtest/event-producer.ts';
import { TestCluster } from '../support/cluster.ts';
import { buildScenario, type Scenario } from '../support/scenario.ts';
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

/** Fresh topics, a gateway, two nodes, and a WebSocket client subscribed to every result. */
async function startPipeline(scenario: Scenario, env: Record<string, string> = {}): Promise<{ cluster: TestCluster; results: ResultCollector }> {
  const cluster = new TestCluster(env);
  await cluster.createTopics();
  const url = await cluster.startGateway();
  await Promise.all([cluster.startNode('node-1'), cluster.startNode('node-2')]);
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
});
