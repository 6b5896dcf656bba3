// `rtap produce` (the demo producer `make cluster-up` starts) against the real broker: what it says
// it sent is what the topic holds, and a stop while Kafka will not take the events ends within the
// stop's grace, saying how many it gave up, instead of hanging until a KILL.
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../config/load.ts';
import { produceConfigSpec, runProducer, type ProduceLog } from '../../loadtest/produce.ts';
import { createTopics, deleteTopics } from '../support/cluster.ts';
import { endpoints, uniqueName } from '../support/endpoints.ts';
import { readAll } from '../support/kafka-read.ts';

const kafka = new Kafka({ clientId: 'itest-produce', brokers: [...endpoints.kafkaBrokers], logLevel: logLevel.NOTHING });

function recorder(): ProduceLog & { warnings: { msg: string; fields?: Record<string, unknown> }[] } {
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  return { warnings, info: () => undefined, warn: (msg, fields) => void warnings.push({ msg, ...(fields ? { fields } : {}) }) };
}

const config = (overrides: Record<string, string>) =>
  loadConfig(produceConfigSpec, { argv: Object.entries({ 'produce.partitions': '3', 'tracing.enabled': 'false', ...overrides }).map(([k, v]) => `--${k}=${v}`), env: {} });

describe('rtap produce (real broker)', () => {
  const topic = uniqueName('itest-produce');
  before(() => createTopics(kafka, [{ topic, numPartitions: 3, replicationFactor: 1 }]));
  after(() => deleteTopics(kafka, [topic]).catch(() => undefined));

  it('writes exactly the events it reports sent, and stops when asked', async () => {
    const stop = new AbortController();
    const log = recorder();
    const running = runProducer(config({ 'kafka.topic': topic, 'produce.rate': '400' }), stop.signal, log);
    await new Promise((r) => setTimeout(r, 1_500));
    stop.abort();
    const outcome = await running;
    expect(outcome.unacknowledged).to.equal(0);
    expect(outcome.sent).to.be.greaterThan(200);
    expect(await readAll(kafka, topic, outcome.sent)).to.have.length(outcome.sent);
    // Retries are fine (a broker just started answers InitProducerId with COORDINATOR_LOAD_IN_PROGRESS); nothing was given up.
    expect(log.warnings.map((w) => w.msg)).to.not.include("stopped with events unacknowledged: Kafka did not answer within the stop's grace");
  });

  it('warns while Kafka refuses its events, and a stop gives up the send in flight after its grace', async () => {
    // A topic that does not exist: the producer connects, then every produce is refused and retried.
    const stop = new AbortController();
    const log = recorder();
    const running = runProducer(config({ 'kafka.topic': uniqueName('itest-produce-missing'), 'produce.rate': '200' }), stop.signal, log, 500);
    await new Promise((r) => setTimeout(r, 1_500));
    const stoppedAt = Date.now();
    stop.abort();
    const outcome = await running;
    expect(Date.now() - stoppedAt).to.be.within(450, 2_000);
    expect(outcome.sent).to.equal(0);
    expect(outcome.unacknowledged).to.be.greaterThan(0);
    expect(log.warnings[0]?.msg).to.equal('kafka: a request failed; retrying');
    expect(String(log.warnings[0]?.fields?.error)).to.match(/UNKNOWN_TOPIC_OR_PARTITION|does not exist|unknown topic/i);
    expect(log.warnings.at(-1)).to.deep.equal({ msg: "stopped with events unacknowledged: Kafka did not answer within the stop's grace", fields: { unacknowledged: outcome.unacknowledged, graceMs: 500 } });
  });

  it('gives up connecting to a broker it cannot reach as soon as it is stopped', async () => {
    const stop = new AbortController();
    const log = recorder();
    const running = runProducer(config({ 'kafka.brokers': '127.0.0.1:1', 'kafka.topic': topic }), stop.signal, log);
    await new Promise((r) => setTimeout(r, 800));
    const stoppedAt = Date.now();
    stop.abort();
    expect(await running).to.deep.equal({ sent: 0, unacknowledged: 0 });
    expect(Date.now() - stoppedAt).to.be.below(500);
    expect(log.warnings[0]?.fields).to.include({ brokers: '127.0.0.1:1' });
    expect(String(log.warnings[0]?.fields?.error)).to.match(/cannot connect to 127\.0\.0\.1:1/);
  });
});
