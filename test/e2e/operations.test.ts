// The operator's cluster commands as `make` runs them (infra/cluster.sh: scale-nodes, scale-simulator,
// logs-nodes), on the real servers: the nodes join and leave the consumer group, their partitions
// move, the demo producer's events get processed, Prometheus pages when a node dies. Its own run directory, topics and group, so it
// shares nothing with a cluster a developer runs (except the fixed ports: gateway 3000, metrics 946x).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import type { ClusterView } from '../../gateway/protocol.ts';
import { createTopics } from '../support/cluster.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY = 'http://127.0.0.1:3000';
/** The Prometheus of `make infra-up` (infra/servers/prometheus.sh): it scrapes whatever gateway runs on 3000. */
const PROMETHEUS = 'http://127.0.0.1:9090';
interface PromRules { data: { groups: { rules: { name: string; health: string }[] }[] } }
interface PromAlerts { data: { alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[] } }

interface Outcome {
  code: number | null;
  output: string;
}

describe('cluster operations (make scale-nodes, scale-simulator, logs-nodes)', function () {
  this.timeout(360_000);
  const run = uniqueName('ops');
  const runDir = mkdtempSync(join(tmpdir(), 'rtap-ops-'));
  const env = {
    ...process.env,
    RTAP_RUN: runDir,
    RTAP_DEMO_RATE: '0',
    RTAP_KAFKA_TOPIC: `${run}.events`,
    RTAP_KAFKA_DLQ_TOPIC: `${run}.dlq`,
    RTAP_KAFKA_GROUP_ID: `${run}.group`,
    RTAP_HEARTBEAT_INTERVAL_MS: '500',
  };

  const cluster = (...args: string[]): Promise<Outcome> =>
    new Promise((resolve, reject) => {
      const child = spawn('bash', [join(ROOT, 'infra/cluster.sh'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, output }));
    });

  const view = async (): Promise<ClusterView> => (await (await fetch(`${GATEWAY}/api/cluster`)).json()) as ClusterView;
  /** Once the view shows exactly `ids` up, each owning partitions, together the 12 once each. */
  const settledOn = (ids: string[]): Promise<true> =>
    eventually(async () => {
      const up = (await view()).nodes.filter((n) => n.state === 'up');
      const owned = up.flatMap((n) => n.partitions).sort((a, b) => a - b);
      const ok = up.map((n) => n.nodeId).join() === ids.join() && up.every((n) => n.partitions.length > 0) && owned.join() === [...Array(12).keys()].join();
      return ok || undefined;
    }, 60_000, `nodes ${ids.join(', ')} up, sharing the 12 partitions`);

  before(async () => {
    const kafka = new Kafka({ clientId: run, brokers: [...endpoints.kafkaBrokers], logLevel: logLevel.NOTHING });
    await createTopics(kafka, [
      { topic: env.RTAP_KAFKA_TOPIC, numPartitions: 12, replicationFactor: 1 },
      { topic: env.RTAP_KAFKA_DLQ_TOPIC, numPartitions: 3, replicationFactor: 1 },
    ]);
    const up = await cluster('up', '1');
    expect(up.code, up.output).to.equal(0);
  });

  after(async () => {
    await cluster('down');
    rmSync(runDir, { recursive: true, force: true });
  });

  it('scales the nodes up and down; the partitions follow', async () => {
    await settledOn(['node-1']);

    const three = await cluster('scale', '3');
    expect(three.code, three.output).to.equal(0);
    expect(three.output).to.contain('nodes running: node-1 node-2 node-3');
    await settledOn(['node-1', 'node-2', 'node-3']);

    const stoppingFrom = Date.now();
    const one = await cluster('scale', '1');
    expect(one.code, one.output).to.equal(0);
    // A node exits once it has checkpointed and left; a wait left pending in its shutdown once held
    // every stopped node's process open for 10 s more.
    expect(Date.now() - stoppingFrom).to.be.below(8_000);
    expect(one.output).to.not.contain('killing it');
    expect(one.output).to.contain('node-2: stopped').and.to.contain('node-3: stopped');
    expect(one.output).to.match(/nodes running: node-1\s*$/m);
    expect(existsSync(join(runDir, 'pids', 'node-2.pid'))).to.equal(false);
    expect(existsSync(join(runDir, 'pids', 'node-3.pid'))).to.equal(false);
    await settledOn(['node-1']);
    // They left cleanly (checkpoint, leave the group), not by going silent.
    const left = (await view()).nodes.filter((n) => n.nodeId === 'node-2' || n.nodeId === 'node-3');
    for (const n of left) expect(n.state, n.nodeId).to.equal('left');
  });

  it('pages the operator when a node dies: Prometheus fires RtapNodeGone from the gateway\'s metrics; the partitions move', async () => {
    const rules = (await (await fetch(`${PROMETHEUS}/api/v1/rules?type=alert`)).json()) as PromRules;
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name)).to.include.members(['RtapNodeGone', 'RtapPartitionsUnowned', 'RtapGatewayDown']);
    expect(loaded.filter((r) => r.health !== 'ok' && r.health !== 'unknown'), 'rules that fail to evaluate').to.deep.equal([]);

    const spawned = await cluster('spawn-node');
    expect(spawned.code, spawned.output).to.equal(0);
    await settledOn(['node-1', 'node-2']);
    const pid = Number(readFileSync(join(runDir, 'pids', 'node-2.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    // Gone after 3 missed heartbeats (1.5 s here), firing after `for: 30s` and an evaluation (15 s).
    const alert = await eventually(async () => {
      const alerts = (await (await fetch(`${PROMETHEUS}/api/v1/alerts`)).json()) as PromAlerts;
      return alerts.data.alerts.find((a) => a.labels.alertname === 'RtapNodeGone' && a.state === 'firing');
    }, 120_000, 'RtapNodeGone firing in Prometheus');
    expect(alert.labels.severity).to.equal('warning');
    expect(alert.annotations.summary).to.match(/^[1-9]\d* node\(s\) stopped heartbeating without leaving$/);
    expect((await view()).nodes.find((n) => n.nodeId === 'node-2')?.state).to.equal('gone');
    // The group hands node-2's partitions to node-1 after the session timeout; nothing waits for an operator.
    await settledOn(['node-1']);
  });

  it('starts, re-rates and stops the demo producer; its events are processed', async () => {
    const processed = async (): Promise<number> => (await view()).nodes.find((n) => n.nodeId === 'node-1')?.counters.eventsProcessed ?? 0;
    const before = await processed();
    const start = await cluster('producer', '300');
    expect(start.code, start.output).to.equal(0);
    expect(start.output).to.contain('sending 300 events/s');
    await eventually(async () => ((await processed()) >= before + 600 ? true : undefined), 30_000, 'node-1 to process the demo events');

    const faster = await cluster('producer', '600');
    expect(faster.code, faster.output).to.equal(0);
    expect(faster.output).to.contain('sending 600 events/s');
    const status = await cluster('status');
    expect(status.output.match(/^producer +up/gm), status.output).to.have.length(1);

    const stop = await cluster('producer', '0');
    expect(stop.code, stop.output).to.equal(0);
    expect(existsSync(join(runDir, 'pids', 'producer.pid'))).to.equal(false);
  });

  it('shows the nodes\' logs, and refuses bad numbers naming them', async () => {
    const logs = await cluster('logs', 'nodes');
    expect(logs.code).to.equal(0);
    expect(logs.output).to.contain('"msg":"node ready"');

    const bad = await cluster('scale', 'two');
    expect(bad.code).to.equal(2);
    expect(bad.output).to.contain("NODES must be a whole number of at least 1 (got 'two')");
    const badRate = await cluster('producer', '-5');
    expect(badRate.code).to.equal(2);
    expect(badRate.output).to.contain("RATE must be a whole number of events/s, 0 to stop (got '-5')");
  });
});
